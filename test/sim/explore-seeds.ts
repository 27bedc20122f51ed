/**
 * The explorer's fixed seeds as tests: random workloads and faults on simulated clusters, every
 * invariant checked after every step and after a full repair. Shared by the WAL and the file
 * replication files, which CI runs side by side.
 */
import { describe, expect, it } from 'vitest';
import { explore, reproduction } from '../../src/engine/index.ts';

const FIRST = Number(process.env.EXPLORE_FROM ?? 1);
const STEPS = 30;

export function exploreSeeds(replication: 'wal' | 'filerep', seeds: number): void {
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
}
