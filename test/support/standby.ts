/** What the standby coordinator's tests share: their cluster shape, and its stream's state. */
import type { Cluster } from '../../src/engine/index.ts';
import { waitFor } from './wait.ts';

/** Group mirrors and a standby on scdw, at a compressed time. */
export const STANDBY_OPTS = { mirroring: 'group' as const, standby: true, timeScale: 200 };

/** Waits until the standby's walreceiver streams from the coordinator. */
export async function standbyStreaming(c: Cluster): Promise<void> {
  await waitFor(
    async () =>
      (
        await c.query(
          "select count(*) from gp_stat_replication where gp_segment_id = -1 and state = 'streaming'",
        )
      ).rows[0]![0] === 1,
  );
}
