/** Polls `cond` until it holds, failing after `ms` (a deadline, never a fixed sleep). */
export async function waitFor<T>(
  cond: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
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
