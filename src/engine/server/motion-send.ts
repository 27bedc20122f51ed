/**
 * The sending side of a Redistribute or Broadcast Motion: the slice's rows go to their
 * receivers in batches, each batch as rows or as tuple bytes (exec/row-batch.ts), and every
 * receiver hears from every sender, even with no rows, so a merge knows when all are in.
 */
import type { RowStream } from '../exec/executor.ts';
import { packRows, transferOf, type WireRows } from '../exec/row-batch.ts';
import type { PlanNode } from '../plan/plan.ts';
import { rowRouter } from '../sql/cdbhash.ts';
import type { Row, SliceRequest } from './protocol.ts';

/** Sends motion rows to another segment's instance. */
export type PeerSend = (
  dbid: number,
  queryId: string,
  sliceId: number,
  from: number,
  rows: WireRows,
  /** The batch's buffers, to transfer rather than copy. */
  transfer: ArrayBuffer[],
) => Promise<void>;

const MOTION_BATCH = 4096;

/** Routes `stream` (the slice under `root`, run on content `from`) to the Motion's receivers. */
export async function sendMotionRows(
  root: Extract<PlanNode, { op: 'motion' }>,
  stream: RowStream,
  req: SliceRequest,
  from: number,
  send: PeerSend,
): Promise<void> {
  const n = root.receivers ?? req.contentDbids.length;
  const buffers: Row[][] = Array.from({ length: n }, () => []);
  const keys = root.hashKeys ?? [];
  const route = rowRouter(
    keys,
    keys.map((k) => root.input.types[k]!),
    n,
  );
  let rr = from;
  const flush = async (c: number) => {
    const rows = buffers[c]!;
    if (!rows.length) return;
    buffers[c] = [];
    const batch = packRows(rows, root.input.types);
    await send(req.contentDbids[c]!, req.queryId, root.sliceId, from, batch, transferOf(batch));
  };
  for await (const batch of stream) {
    for (const row of batch) {
      if (root.kind === 'broadcast') for (const b of buffers) b.push(row);
      else if (keys.length) buffers[route(row)]!.push(row);
      else buffers[rr++ % n]!.push(row);
    }
    for (let c = 0; c < n; c++) if (buffers[c]!.length >= MOTION_BATCH) await flush(c);
  }
  await Promise.all(buffers.map((_, c) => flush(c)));
}
