/**
 * explore(seed): run the seed's plan; on a failure, shrink the plan (delta debugging: drop
 * chunks of steps, then single steps, keeping any change that still fails the same invariant)
 * and return a reproduction that runs as a test.
 */
import { runPlan, type Failure, type Replication, type RunResult } from './explorer.ts';
import { describeStep, generatePlan, type Step } from './steps.ts';

export interface Exploration {
  result: RunResult;
  /** On failure: the smallest plan found that fails the same invariant, and its failure. */
  shrunk?: { plan: Step[]; failure: Failure; runs: number };
}

export async function explore(
  seed: number,
  steps: number,
  options: { shrinkRuns?: number; replication?: Replication } = {},
): Promise<Exploration> {
  const plan = generatePlan(seed, steps);
  const replication = options.replication ?? 'wal';
  const result = await runPlan(seed, plan, replication);
  if (!result.failure) return { result };
  const shrunk = await shrink(
    seed,
    plan.slice(0, result.failure.step + 1),
    result.failure,
    options.shrinkRuns ?? 60,
    replication,
  );
  return { result, shrunk };
}

async function shrink(
  seed: number,
  plan: Step[],
  failure: Failure,
  budget: number,
  replication: Replication,
): Promise<{ plan: Step[]; failure: Failure; runs: number }> {
  let best = plan;
  let bestFailure = failure;
  let runs = 0;
  let chunk = Math.max(1, Math.floor(best.length / 2));
  while (chunk >= 1 && runs < budget) {
    let changed = false;
    for (let at = 0; at < best.length && runs < budget;) {
      const candidate = [...best.slice(0, at), ...best.slice(at + chunk)];
      runs++;
      const r = candidate.length ? await runPlan(seed, candidate, replication) : undefined;
      if (r?.failure && r.failure.invariant === bestFailure.invariant) {
        best = candidate.slice(0, r.failure.step + 1);
        bestFailure = r.failure;
        changed = true;
      } else at += chunk;
    }
    if (!changed) chunk = Math.floor(chunk / 2);
  }
  return { plan: best, failure: bestFailure, runs };
}

/** A vitest test that replays a failing plan. */
export function reproduction(
  seed: number,
  plan: readonly Step[],
  failure: Failure,
  replication: Replication = 'wal',
): string {
  const mode = replication === 'wal' ? '' : `, '${replication}'`;
  return [
    `// ${failure.invariant}: ${failure.message}`,
    `// ${plan.map(describeStep).join(' | ')}`,
    `it('sim seed ${seed} (${failure.invariant})', async () => {`,
    `  const r = await runPlan(${seed}, ${JSON.stringify(plan)}${mode});`,
    `  expect(r.failure).toBeUndefined();`,
    `});`,
  ].join('\n');
}
