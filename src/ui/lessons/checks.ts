/**
 * The checks lessons use: each reads the cluster as an administrator would (the catalog with a
 * fresh query, a statement that must work or fail, the clients' health) and says what it saw.
 */
import { errorText } from '../state/start-options.ts';
import { ACCOUNTS, START_BALANCE } from '../workload/bank-workload.ts';
import type { CheckOutcome, LessonContext, StepCheck } from './lesson-types.ts';

/** One gp_segment_configuration row as the checks compare it. */
export interface CatRow {
  dbid: number;
  content: number;
  role: string;
  preferred_role: string;
  mode: string;
  status: string;
  hostname: string;
}

export const CONFIG_SQL =
  'select dbid, content, role, preferred_role, mode, status, hostname from gp_segment_configuration';

function cluster(ctx: LessonContext) {
  const s = ctx.store;
  if (!s || s.state !== 'ready' || !s.cluster) throw new Error('the cluster is not running');
  return s.cluster;
}

/** Reads gp_segment_configuration now (not the lab's cached copy). */
export async function readConfig(ctx: LessonContext): Promise<CatRow[]> {
  const r = await cluster(ctx).query(CONFIG_SQL);
  const names = r.fields.map((f) => f.name);
  return r.rows
    .map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])) as unknown as CatRow)
    .map((x) => ({ ...x, dbid: Number(x.dbid), content: Number(x.content) }))
    .sort((a, b) => a.content - b.content || a.dbid - b.dbid);
}

export function rowText(r: CatRow): string {
  return `dbid ${r.dbid} ${r.hostname} role=${r.role} mode=${r.mode} status=${r.status}`;
}

/** Runs `test`; an error (the coordinator is down...) is a failed check that says so. */
async function guard(fn: () => Promise<CheckOutcome>): Promise<CheckOutcome> {
  try {
    return await fn();
  } catch (e) {
    return { ok: false, seen: `error: ${errorText(e)}` };
  }
}

export function check(
  expected: string,
  test: (ctx: LessonContext) => Promise<CheckOutcome>,
  timeoutMs?: number,
): StepCheck {
  return { expected, test: (ctx) => guard(() => test(ctx)), ...(timeoutMs ? { timeoutMs } : {}) };
}

type Want = Partial<Pick<CatRow, 'role' | 'mode' | 'status' | 'preferred_role' | 'hostname'>>;

/** Rows by dbid must have these column values. */
export function rowsAre(expected: string, want: Record<number, Want>, timeoutMs?: number): StepCheck {
  return check(
    expected,
    async (ctx) => {
      const rows = await readConfig(ctx);
      const seen: string[] = [];
      let ok = true;
      for (const [d, w] of Object.entries(want)) {
        const r = rows.find((x) => x.dbid === Number(d));
        if (!r) {
          ok = false;
          seen.push(`no row for dbid ${d}`);
          continue;
        }
        if (Object.entries(w).some(([k, v]) => r[k as keyof CatRow] !== v)) ok = false;
        seen.push(rowText(r));
      }
      return { ok, seen: seen.join('; ') };
    },
    timeoutMs,
  );
}

/** Every check in turn: passes when all do, and says what each saw (stopping at the first miss). */
export function allOf(expected: string, ...checks: StepCheck[]): StepCheck {
  return check(
    expected,
    async (ctx) => {
      const seen: string[] = [];
      for (const c of checks) {
        const r = await c.test(ctx);
        seen.push(r.seen);
        if (!r.ok) return { ok: false, seen: seen.join('; ') };
      }
      return { ok: true, seen: seen.join('; ') };
    },
    Math.max(0, ...checks.map((c) => c.timeoutMs ?? 0)) || undefined,
  );
}

/** Every segment instance up, synchronized and in its preferred role (mirrors present). */
export function healthy(opts: { standby?: boolean; hosts?: number } = {}): StepCheck {
  const parts = ['every segment has a mirror; all are up (u), synchronized (s) and in their preferred roles'];
  if (opts.standby) parts.push('a standby coordinator is up');
  if (opts.hosts) parts.push(`${opts.hosts} segment hosts`);
  return check(parts.join('; '), async (ctx) => {
    const rows = await readConfig(ctx);
    const segs = rows.filter((r) => r.content >= 0);
    const bad: string[] = [];
    if (!segs.some((r) => r.role === 'm')) bad.push('no mirrors (mirroring none)');
    for (const r of segs)
      if (r.status !== 'u' || r.mode !== 's' || r.role !== r.preferred_role) bad.push(rowText(r));
    if (opts.standby && !rows.some((r) => r.content === -1 && r.role === 'm' && r.status === 'u'))
      bad.push('no standby coordinator');
    const hosts = new Set(segs.map((r) => r.hostname)).size;
    if (ctx.workload && !ctx.workload.ready) bad.push('the bank table is still loading');
    if (opts.hosts && hosts !== opts.hosts) bad.push(`${hosts} segment hosts`);
    return bad.length
      ? { ok: false, seen: bad.join('; ') }
      : { ok: true, seen: `${segs.length} segment instances healthy on ${hosts} hosts` };
  });
}

/** Acting primaries per segment host, e.g. "sdw2: 4, sdw3: 2". */
export function primariesPerHost(rows: CatRow[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) if (r.content >= 0) m.set(r.hostname, m.get(r.hostname) ?? 0);
  for (const r of rows)
    if (r.content >= 0 && r.role === 'p' && r.status === 'u') m.set(r.hostname, (m.get(r.hostname) ?? 0) + 1);
  return m;
}

export function perHostText(m: Map<string, number>): string {
  return [...m].map(([h, n]) => `${h}: ${n}`).join(', ');
}

/** A statement must fail (the data it needs is unavailable). */
export function fails(expected: string, sql: string): StepCheck {
  return check(expected, async (ctx) => {
    try {
      await cluster(ctx).query(sql);
      return { ok: false, seen: `${sql} succeeded` };
    } catch (e) {
      return { ok: true, seen: `${sql} failed: ${errorText(e)}` };
    }
  });
}

/** The bank's money is all there: every account, the starting total. */
export function moneyConserved(
  expected = 'select count(*), sum(balance) from bank answers 1000 accounts holding 1000000',
): StepCheck {
  return check(expected, async (ctx) => {
    const r = await cluster(ctx).query('select count(*), sum(balance) from bank');
    const [n, sum] = (r.rows[0] ?? []).map(Number);
    return {
      ok: n === ACCOUNTS && sum === ACCOUNTS * START_BALANCE,
      seen: `${n} accounts holding ${sum}`,
    };
  });
}

/** gp_configuration_history has a row containing `text`. */
export async function historyHas(ctx: LessonContext, text: string): Promise<boolean> {
  const r = await cluster(ctx).query('select "desc" from gp_configuration_history');
  return r.rows.some((row) => String(row[0]).includes(text));
}

/** The oldest unfinished transfer's wait, in seconds (0 when none). */
export function stalledSeconds(ctx: LessonContext): number {
  const w = ctx.workload;
  return w && w.inFlight > 0 ? w.oldestInFlightMs() / 1000 : 0;
}
