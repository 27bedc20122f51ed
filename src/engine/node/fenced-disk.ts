/**
 * One process's handle on its disk. When the process dies the handle is fenced: whatever its
 * stale async work still tries to write is refused, as a dead process writes nothing.
 */
import { DiskError, type Disk, type DiskFaultChange, type DiskStats } from '../storage/disk.ts';

export class FencedDisk implements Disk {
  private readonly inner: Disk;
  private fenced = false;

  constructor(inner: Disk) {
    this.inner = inner;
  }

  fence(): void {
    this.fenced = true;
  }

  get stats(): DiskStats {
    return this.inner.stats;
  }

  view(file: string, block: number): Uint8Array | undefined {
    return this.inner.view(file, block);
  }

  read(file: string, block: number): Uint8Array | undefined {
    return this.inner.read(file, block);
  }

  write(file: string, block: number, data: Uint8Array): void {
    if (this.fenced) throw gone();
    this.inner.write(file, block, data);
  }

  nblocks(file: string): number {
    return this.inner.nblocks(file);
  }

  truncate(file: string, nblocks: number): void {
    if (this.fenced) throw gone();
    this.inner.truncate(file, nblocks);
  }

  unlink(file: string): void {
    if (this.fenced) throw gone();
    this.inner.unlink(file);
  }

  files(prefix?: string): string[] {
    return this.inner.files(prefix);
  }

  sync(): Promise<void> {
    if (this.fenced) return Promise.reject(gone());
    return this.inner.sync();
  }

  setFaults(change: DiskFaultChange): void {
    this.inner.setFaults(change);
  }

  checkIO(): Promise<void> {
    if (this.fenced) return Promise.reject(gone());
    return this.inner.checkIO();
  }
}

function gone(): DiskError {
  return new DiskError('io_error', 'the process that owned this disk handle has died');
}
