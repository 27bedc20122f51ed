/**
 * The explorer's fixed seeds, run in CI: random workloads and faults on simulated clusters
 * (2 hosts × 2 segments group-mirrored, or 3 × 2 spread, with a standby), every invariant checked
 * after every step and after a full repair. `npm run explore -- --seeds N --from S` runs more.
 */
import { describe, expect, it } from 'vitest';
import { explore, reproduction } from '../../src/engine/index.ts';

const FIRST = Number(process.env.EXPLORE_FROM ?? 1);
const SEEDS = Number(process.env.EXPLORE_SEEDS ?? 200);
const STEPS = 30;

describe(`explorer: seeds ${FIRST}..${FIRST + SEEDS - 1}, ${STEPS} steps each`, () => {
  for (let seed = FIRST; seed < FIRST + SEEDS; seed++) {
    it(`seed ${seed}`, async () => {
      const e = await explore(seed, STEPS, { shrinkRuns: 40 });
      const f = e.result.failure;
      const repro = e.shrunk ? reproduction(seed, e.shrunk.plan, e.shrunk.failure) : '';
      expect(
        f,
        f ? `${f.invariant}: ${f.message}\n${e.result.log.join('\n')}\n\n${repro}` : '',
      ).toBeUndefined();
    }, 120_000);
  }
});
