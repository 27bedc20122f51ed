/**
 * How a wait lets time pass: on the wall clock, unless the runtime under test keeps its own
 * time (the sim runtime's setup makes a pause advance virtual time, and deadlines count it).
 */
export interface WaitTime {
  now(): number;
  /** Resolves once `ms` have passed, or as soon as `until` settles. */
  pass(ms: number, until?: Promise<unknown>): Promise<void>;
  /** The pause between two polls of a condition. */
  pollMs: number;
}

/** Time on the wall clock (every runtime but sim, and tests that name another runtime there). */
export const wallTime: WaitTime = {
  now: () => Date.now(),
  pass: (ms, until) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      const stop = () => {
        clearTimeout(timer);
        resolve();
      };
      until?.then(stop, stop);
    }),
  pollMs: 10,
};
let waitTime = wallTime;

export function setWaitTime(time: WaitTime): void {
  waitTime = time;
}

/** Polls `cond` until it holds, failing after `ms` (a deadline, never a fixed sleep). */
export async function waitFor<T>(
  cond: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = waitTime.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (waitTime.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await waitTime.pass(waitTime.pollMs);
  }
}

/** Races `p` against `ms` of the runtime's time: 'timeout' if it has not settled by then. */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([p, waitTime.pass(ms, p).then(() => 'timeout' as const)]);
}

/** A cluster's time in ms: virtual on the sim runtime, the wall clock elsewhere. */
export function clusterNow(c: object): number {
  return (c as { sim?: { now(): number } }).sim?.now() ?? Date.now();
}

/** What `synced` needs of a cluster: SQL on the coordinator. */
interface Queryable {
  query(sql: string): Promise<{ rows: unknown[][] }>;
}

/** Waits (probing FTS) until every segment pair is up and synchronized. */
export async function synced(c: Queryable, ms = 15_000): Promise<void> {
  await waitFor(
    async () => {
      await c.query('select gp_request_fts_probe_scan()');
      const r = await c.query(
        "select count(*) from gp_segment_configuration where content >= 0 and (mode <> 's' or status <> 'u')",
      );
      return r.rows[0]![0] === 0;
    },
    ms,
    'every pair in sync',
  );
}
