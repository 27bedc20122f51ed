/**
 * The explorer's fixed seeds, run in CI: random workloads and faults on simulated clusters
 * (2 hosts × 2 segments group-mirrored, or 3 × 2 spread, with a standby), every invariant checked
 * after every step and after a full repair, with WAL replication and with Greenplum 5 file
 * replication. `npm run explore -- --seeds N --from S [--filerep]` runs more.
 */
import { describe, expect, it } from 'vitest';
import { explore, reproduction } from '../../src/engine/index.ts';

const FIRST = Number(process.env.EXPLORE_FROM ?? 1);
const SEEDS = Number(process.env.EXPLORE_SEEDS ?? 200);
const STEPS = 30;

/** Greenplum 5 file replication: the same invariants, on clusters that mirror by file blocks. */
const FILEREP_SEEDS = Number(process.env.EXPLORE_FILEREP_SEEDS ?? 100);

for (const [replication, seeds] of [
  ['wal', SEEDS],
  ['filerep', FILEREP_SEEDS],
] as const)
  describe(`explorer (${replication}): seeds ${FIRST}..${FIRST + seeds - 1}, ${STEPS} steps each`, () => {
    for (let seed = FIRST; seed < FIRST + seeds; seed++) {
      it(`seed ${seed}`, async () => {
        const e = await explore(seed, STEPS, { shrinkRuns: 40, replication });
        const f = e.result.failure;
        const repro = e.shrunk ? reproduction(seed, e.shrunk.plan, e.shrunk.failure, replication) : '';
        expect(
          f,
          f ? `${f.invariant}: ${f.message}\n${e.result.log.join('\n')}\n\n${repro}` : '',
        ).toBeUndefined();
      }, 120_000);
    }
  });
