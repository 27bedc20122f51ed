/**
 * IndexedDB plumbing shared by IdbDisk's two kinds of sync: a transaction's completion as a
 * promise, a quiet abort, and IndexedDB failures mapped to the DiskErrors a sync reports.
 */
import { DiskError } from '../engine/storage/disk.ts';

export function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    // A failed request's error event reaches the transaction before the abort it causes, while
    // tx.error is still null: the cause (a QuotaExceededError, say) is read once it aborts.
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** One request's success, as a promise (a failure also aborts its transaction: `transactionDone`). */
export function requestDone(request: IDBRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

export function abortQuietly(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // Already finished: nothing was committed by this transaction's remaining requests.
  }
}

/** An IndexedDB failure as the DiskError a sync reports. */
export function diskErrorOf(e: unknown): DiskError {
  if (errorName(e) === 'QuotaExceededError')
    return new DiskError('disk_full', 'could not write to file: No space left on device');
  return new DiskError('io_error', `could not fsync file: ${explain(e)}`);
}

/** The name of an Error or DOMException (QuotaExceededError may be either, depending on the browser). */
export function errorName(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'name' in e && typeof e.name === 'string'
    ? e.name
    : undefined;
}

export function explain(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'message' in e)
    return `${errorName(e) ?? 'Error'}: ${String(e.message)}`;
  return String(e);
}
