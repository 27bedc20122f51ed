/**
 * What the worker runtime keeps in this browser, and how the lab recognizes it as its own:
 * each instance's disk is the IndexedDB database `${cluster}-dbid${dbid}` with the disk schema
 * (idb-schema.ts, isDiskSchema), and the topology database lists each saved cluster's
 * instances. The lab deletes only databases it recognizes: those its saved topology lists, and
 * those named like one of its disks that have exactly the disk schema; a page's own database
 * that merely shares a name pattern is never touched.
 */
import type { SavedTopology } from '../engine/cluster/process-cluster.ts';
import { IdbDisk } from './idb-disk.ts';
import { isDiskSchema } from './idb-schema.ts';
import { forgetTopology, listTopologies, loadTopology } from './topology-store.ts';

/** The Web Lock a page holds while it runs the cluster. */
export function lockName(cluster: string): string {
  return `mpp-ha-lab:${cluster}`;
}

/** The IndexedDB database of one instance's disk. */
export function diskName(cluster: string, dbid: number): string {
  return `${cluster}-dbid${dbid}`;
}

/**
 * Whether the database `name` exists with the disk schema. Opening without a version never
 * changes an existing database; a missing one is not created (its creation is aborted).
 */
export function hasDiskSchema(name: string): Promise<boolean> {
  return new Promise((resolve) => {
    let req: IDBOpenDBRequest;
    try {
      req = indexedDB.open(name);
    } catch {
      resolve(false);
      return;
    }
    req.onupgradeneeded = () => req.transaction?.abort();
    req.onerror = () => resolve(false);
    req.onblocked = () => resolve(false);
    req.onsuccess = () => {
      const db = req.result;
      resolve(isDiskSchema(db.version, [...db.objectStoreNames]));
      db.close();
    };
  });
}

/** The disk databases of a cluster that exist now and that the lab recognizes as its own. */
export async function clusterDatabases(
  cluster: string,
  saved?: SavedTopology,
  dbids: number[] = [],
): Promise<string[]> {
  const listed = new Set(
    [...(saved?.rows.map((r) => r.dbid) ?? []), ...dbids].map((d) => diskName(cluster, d)),
  );
  const prefix = `${cluster}-dbid`;
  const existing = (await indexedDB.databases()).map((d) => d.name ?? '');
  const out: string[] = [];
  for (const n of existing) {
    if (!n.startsWith(prefix) || !/^\d+$/.test(n.slice(prefix.length))) continue;
    if (listed.has(n) || (await hasDiskSchema(n))) out.push(n);
  }
  return out;
}

/** Every database of the named cluster that the lab recognizes, and its saved topology. */
export async function deleteCluster(name: string): Promise<void> {
  const saved = await loadTopology(name);
  const mine = await clusterDatabases(name, saved);
  await Promise.all(mine.map((n) => IdbDisk.destroy(n)));
  await forgetTopology(name);
}

/** Whether a cluster of that name was saved by an earlier page (so it can be resumed). */
export async function savedCluster(name: string): Promise<SavedTopology | undefined> {
  return loadTopology(name);
}

/** A cluster saved in this browser: its name, layout, and the databases that hold it. */
export interface SavedClusterInfo {
  name: string;
  topology: SavedTopology;
  databases: string[];
  /** A page (this one or another tab) runs it now. */
  open: boolean;
}

/** Every cluster saved in this browser. */
export async function savedClusters(): Promise<SavedClusterInfo[]> {
  const out: SavedClusterInfo[] = [];
  for (const [name, topology] of await listTopologies())
    out.push({
      name,
      topology,
      databases: await clusterDatabases(name, topology),
      open: await clusterOpenElsewhere(name),
    });
  return out;
}

/** Whether some page of this browser (another tab, or this one) holds the cluster's lock. */
export async function clusterOpenElsewhere(name: string): Promise<boolean> {
  const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
  if (!locks) return false;
  const q = await locks.query();
  return (q.held ?? []).some((l) => l.name === lockName(name));
}
