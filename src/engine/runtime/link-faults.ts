/**
 * Network faults for the lab: partitions and latency, shared by every link of a cluster.
 *
 * Nodes are named by dbid or by any string id ('coordinator', 'sdw2'); ids are compared as
 * strings, so dbid 3 and '3' are the same node. A link consults this object at its calling
 * end for both directions of each call (request from→to, reply to→from):
 * - while the two nodes are cut, messages are dropped and lost for good: the caller sees a
 *   timeout, exactly as on a lost network, never a fast failure;
 * - a message from A to B is held back by `delayOf(A) + delayOf(B)` ms on the link's Clock, so a
 *   call to a node delayed by d ms takes at least 2·d ms.
 *
 * In the browser, each worker that holds links needs the fault state: mirror it with
 * `snapshot()` / `restore()` and `subscribe()`.
 */

export type NodeId = string | number;

/** Plain-data form of the fault state, for posting to other realms. */
export interface FaultState {
  /** Directed cuts: messages from `[0]` to `[1]` are dropped. */
  cuts: [string, string][];
  /** Per-node delay in ms. */
  delays: [string, number][];
}

const SEP = '\u0000';

function key(id: NodeId): string {
  return String(id);
}

function ids(nodes: NodeId | Iterable<NodeId>): string[] {
  if (typeof nodes === 'string' || typeof nodes === 'number') return [key(nodes)];
  return [...nodes].map(key);
}

export class NetworkFaults {
  private readonly cuts: Set<string>;
  private readonly delays: Map<string, number>;
  private readonly listeners: Set<() => void>;

  constructor() {
    this.cuts = new Set();
    this.delays = new Map();
    this.listeners = new Set();
  }

  /** Cuts every node of `a` from every node of `b`, in both directions. Cuts accumulate. */
  partition(a: Iterable<NodeId>, b: Iterable<NodeId>): void {
    const as = ids(a);
    const bs = ids(b);
    for (const x of as)
      for (const y of bs) {
        if (x === y) continue;
        this.cuts.add(x + SEP + y);
        this.cuts.add(y + SEP + x);
      }
    this.changed();
  }

  /** An asymmetric cut: messages from `from` to `to` are dropped, the other way still flows. */
  cutOneWay(from: NodeId | Iterable<NodeId>, to: NodeId | Iterable<NodeId>): void {
    for (const x of ids(from)) for (const y of ids(to)) if (x !== y) this.cuts.add(x + SEP + y);
    this.changed();
  }

  /**
   * Restores connectivity: with no arguments every cut goes; with two sets only the cuts
   * between them (both directions). Delays stay (see `delay` and `clear`).
   */
  heal(a?: Iterable<NodeId>, b?: Iterable<NodeId>): void {
    if (a === undefined || b === undefined) {
      this.cuts.clear();
    } else {
      for (const x of ids(a))
        for (const y of ids(b)) {
          this.cuts.delete(x + SEP + y);
          this.cuts.delete(y + SEP + x);
        }
    }
    this.changed();
  }

  /** Every message to and from `node` is delayed by `ms` (0 removes the delay). */
  delay(node: NodeId, ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`assertion failed: delay must be ≥ 0, got ${ms}`);
    if (ms === 0) this.delays.delete(key(node));
    else this.delays.set(key(node), ms);
    this.changed();
  }

  /** Heals every cut and removes every delay. */
  clear(): void {
    this.cuts.clear();
    this.delays.clear();
    this.changed();
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.cuts.has(key(from) + SEP + key(to));
  }

  delayOf(node: NodeId): number {
    return this.delays.get(key(node)) ?? 0;
  }

  /** How long a message from `from` to `to` is held back. */
  latency(from: NodeId, to: NodeId): number {
    return this.delayOf(from) + this.delayOf(to);
  }

  /** True while any cut is in place. */
  get partitioned(): boolean {
    return this.cuts.size > 0;
  }

  snapshot(): FaultState {
    return {
      cuts: [...this.cuts].map((c) => {
        const [x = '', y = ''] = c.split(SEP);
        return [x, y];
      }),
      delays: [...this.delays],
    };
  }

  /** Replaces the whole state, e.g. with a snapshot posted from the realm that owns the lab. */
  restore(state: FaultState): void {
    this.cuts.clear();
    this.delays.clear();
    for (const [x, y] of state.cuts) this.cuts.add(x + SEP + y);
    for (const [n, ms] of state.delays) if (ms > 0) this.delays.set(n, ms);
    this.changed();
  }

  /** Calls `fn` after every change; returns the unsubscribe function. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of [...this.listeners]) fn();
  }
}
