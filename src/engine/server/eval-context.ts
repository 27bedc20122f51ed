import type { EvalContext } from '../sql/functions.ts';
import type { Clock } from '../runtime/clock.ts';

/** Milliseconds between the Unix epoch and Postgres' epoch (2000-01-01). */
export const PG_EPOCH_MS = 946_684_800_000;

/** Statement time in Postgres' microseconds-since-2000 form, from the runtime's clock. */
export function statementTimeFrom(clock: Clock): number {
  return (clock.now() - PG_EPOCH_MS) * 1000;
}

/** A deterministic random() for a statement: seeded from its start time. */
export function makeEvalContext(statementTime: number, _clock: Clock, server?: unknown): EvalContext {
  let a = (statementTime ^ 0x9e3779b9) >>> 0;
  const ctx: EvalContext = {
    statementTime,
    random: () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
  if (server !== undefined) ctx.server = server;
  return ctx;
}
