/**
 * The code an instance needs beyond storage, WAL and replication, by what it serves: the
 * segment executor (a primary), the coordinator (the dispatcher, the DTM, FTS) and sessions
 * (the utilities, a layer above, likewise: cluster/process-protocol.ts). A runtime supplies
 * them. The inline and sim runtimes link them in up front;
 * the worker runtime loads each on first need, so the 130 workers of a large cluster do not
 * all parse the whole engine: a mirror parses about a third of it, until it is promoted.
 *
 * A module already loaded is handed over without a promise, so a runtime that links them in
 * runs the same steps in the same order as when nothing was loaded lazily.
 */
import type { Coordinator } from '../server/coordinator.ts';
import type { DistributedTxManager } from '../server/dtm.ts';
import type { SegmentExecutor } from '../server/segment.ts';
import type { Session } from '../server/session.ts';
import type { UtilitySession } from '../server/utility-session.ts';

export interface SegmentModule {
  SegmentExecutor: typeof SegmentExecutor;
}

export interface CoordinatorModule {
  Coordinator: typeof Coordinator;
  DistributedTxManager: typeof DistributedTxManager;
}

export interface SessionModule {
  Session: typeof Session;
  UtilitySession: typeof UtilitySession;
}

/**
 * One module, loaded at most once. Call sites wait only when it is not loaded yet:
 * `const w = m.pending(); if (w) await w; const { X } = m.now();`
 */
export class ModuleLoader<T> {
  private value: T | undefined;
  private loading: Promise<T> | undefined;
  private readonly load: () => T | Promise<T>;

  constructor(load: () => T | Promise<T>) {
    this.load = load;
  }

  /** Undefined once loaded (a linked-in module at once); else a promise of the loading. */
  pending(): Promise<T> | undefined {
    if (this.value !== undefined) return undefined;
    if (this.loading) return this.loading;
    const v = this.load();
    if (!(v instanceof Promise)) {
      this.value = v;
      return undefined;
    }
    this.loading = v.then(
      (m) => (this.value = m),
      (e: unknown) => {
        // A failed load (a worker's chunk, over the network) may be retried by the next need.
        this.loading = undefined;
        throw e;
      },
    );
    return this.loading;
  }

  /** The module if it has loaded; never starts a load. */
  peek(): T | undefined {
    return this.value;
  }

  /** The loaded module. */
  now(): T {
    if (this.value === undefined) this.pending();
    if (this.value === undefined) throw new Error('assertion failed: a module used before it loaded');
    return this.value;
  }

  /** Starts loading now, for a need that is likely soon (a mirror's promotion). */
  prefetch(): void {
    this.pending()?.catch(() => undefined);
  }
}

export interface RoleModules {
  segment: ModuleLoader<SegmentModule>;
  coordinator: ModuleLoader<CoordinatorModule>;
  sessions: ModuleLoader<SessionModule>;
}
