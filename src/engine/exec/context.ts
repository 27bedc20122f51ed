import type { SliceAnalyze } from './instrument.ts';
import type { PlanNode } from '../plan/plan.ts';
import type { Instance } from '../instance/instance.ts';
import type { EvalContext } from '../sql/functions.ts';
import type { Value } from '../sql/types.ts';
import type { Snapshot } from '../txn/snapshot.ts';
import type { Transaction } from '../txn/xact.ts';
import type { Interrupts } from './interrupts.ts';

export type Row = Value[];

/** What one executing slice sees: where it runs, its storage and snapshot, its motion inputs. */
export interface ExecContext {
  eval: EvalContext;
  /** The statement's interrupts: yields, cancels and its memory held on this instance. */
  interrupts: Interrupts;
  /** Content id of the instance running the slice (-1 on the coordinator). */
  content: number;
  /** Storage, on segments (and the coordinator for catalog work). */
  instance?: Instance;
  tx?: Transaction;
  snapshot?: Snapshot;
  /** Rows that arrived for a receiving motion, by slice id (one array per sender). */
  received(sliceId: number): Row[][];
  /** Rows of a coordinator-only relation. */
  systemRows?(name: string): Promise<Row[]>;
  /** EXPLAIN ANALYZE: each node's rows, loops and times. */
  analyze?: SliceAnalyze;
  /**
   * The columns each scan of the slice decodes, and the outputs each projection computes
   * (exec/columns-used.ts); absent: all.
   */
  wants?: Map<PlanNode, boolean[]>;
}

export const BATCH = 1024;
