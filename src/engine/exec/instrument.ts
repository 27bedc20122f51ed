/**
 * EXPLAIN ANALYZE's instrumentation: each plan node's output rows, loops and times (to its
 * first batch, to its end) on the instance running its slice, as Postgres' Instrumentation
 * keeps them. A slice's nodes are named by their path from the slice's root, so the
 * coordinator can match what every segment sends back with its own copy of the plan.
 */
import { children, type PlanNode } from '../plan/plan.ts';
import type { Row } from './context.ts';

export interface NodeStat {
  /** Rows over all loops. */
  rows: number;
  loops: number;
  /** Milliseconds from the first loop's start to its first rows, and to the last loop's end. */
  firstMs: number;
  totalMs: number;
}

/** The statistics of one run of a slice on one instance. */
export class SliceAnalyze {
  private readonly stats = new Map<PlanNode, NodeStat>();
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  /** Counts what `stream` (node's output) yields. */
  async *instrument(
    node: PlanNode,
    stream: AsyncGenerator<Row[], void, undefined>,
  ): AsyncGenerator<Row[], void, undefined> {
    let stat = this.stats.get(node);
    const start = this.now();
    let first = true;
    try {
      for await (const batch of stream) {
        if (!stat) this.stats.set(node, (stat = { rows: 0, loops: 0, firstMs: 0, totalMs: 0 }));
        if (first && stat.loops === 0) stat.firstMs = this.now() - start;
        first = false;
        stat.rows += batch.length;
        yield batch;
      }
    } finally {
      if (!stat)
        this.stats.set(node, (stat = { rows: 0, loops: 0, firstMs: this.now() - start, totalMs: 0 }));
      stat.loops++;
      stat.totalMs += this.now() - start;
    }
  }

  /** The statistics by node path from `root` (the slice's root). */
  byPath(root: PlanNode): [string, NodeStat][] {
    const out: [string, NodeStat][] = [];
    for (const [node, path] of slicePaths(root)) {
      const s = this.stats.get(node);
      if (s) out.push([path, s]);
    }
    return out;
  }
}

/**
 * Every node of a slice by its path from the slice's root ("0", "0.1"...): a motion inside is
 * the slice's receive point and ends the walk (what is under it is another slice).
 */
export function slicePaths(root: PlanNode): Map<PlanNode, string> {
  const out = new Map<PlanNode, string>();
  const walk = (n: PlanNode, path: string) => {
    out.set(n, path);
    if (n.op === 'motion') return;
    children(n).forEach((c, i) => walk(c, `${path}.${i}`));
  };
  walk(root, '0');
  return out;
}
