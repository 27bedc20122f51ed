/**
 * Disks the engine cannot build itself (IndexedDB lives in the browser runtime): a runtime
 * registers a provider, and `createCluster({ storage: 'indexeddb' })` uses it.
 */
import type { Disk } from '../storage/disk.ts';

export type DiskProvider = (name: string) => Promise<Disk>;

const providers = new Map<string, DiskProvider>();

export function registerDiskProvider(kind: 'indexeddb', provider: DiskProvider): void {
  providers.set(kind, provider);
}

export function getDiskProvider(kind: 'indexeddb'): DiskProvider | undefined {
  return providers.get(kind);
}
