/**
 * A light OLTP workload: N sessions move money between accounts of a `bank` table at a total
 * rate, each transfer a BEGIN / two UPDATEs / COMMIT. It keeps per-second samples of commits,
 * errors and latency so the lab can chart what a fault does to clients. The sum of all
 * balances never changes: a check anyone can run after any fault.
 */
import type { Cluster, Session } from '../../workers/index.ts';
import { BankLedger, type LedgerCheck } from './bank-ledger.ts';

export interface WorkloadSample {
  /** Wall-clock ms at the end of the second. */
  t: number;
  commits: number;
  errors: number;
  /**
   * Mean latency of the second's finished transfers, ms; when none finished but some are waiting,
   * how long the oldest has waited (a stalled second is not a fast one).
   */
  latencyMs: number;
  /** No transfer finished in that second while some waited. */
  stalled?: boolean;
}

export interface WorkloadError {
  code: string;
  message: string;
  /** The error's DETAIL, when it has one. */
  detail?: string;
  at: number;
  /** It came at COMMIT with the connection gone: the client cannot know whether it committed. */
  indeterminate?: boolean;
}

/** One transfer as its client saw it (wall-clock ms): it happened, it did not, or unknown. */
export interface TransferOutcome {
  start: number;
  end: number;
  outcome: 'ok' | 'failed' | 'indeterminate';
  code?: string;
}

/** Transfers kept for the client's view: the last this many. */
const OUTCOMES_KEPT = 1000;

export const ACCOUNTS = 1000;
export const START_BALANCE = 1000;
export const SETUP_SQL = [
  'create table bank (id int, balance int) distributed by (id)',
  `insert into bank select i, ${START_BALANCE} from generate_series(1, ${ACCOUNTS}) i`,
];
export const CHECK_SQL = 'select count(*) as accounts, sum(balance) as total from bank';

/** The statements of one transfer; the lower id is updated first, so transfers cannot deadlock. */
export function transferSql(a: number, b: number, amount: number): string[] {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  const delta = (id: number) => (id === a ? `- ${amount}` : `+ ${amount}`);
  return [
    'begin',
    `update bank set balance = balance ${delta(lo)} where id = ${lo}`,
    `update bank set balance = balance ${delta(hi)} where id = ${hi}`,
    'commit',
  ];
}

/** Samples kept: 15 minutes, for the charts' longest time range. */
const SERIES = 900;
const SESSION_LOST = /^(08|57P)/;
/** Errors that leave a COMMIT's outcome unknown to its client: the connection went (08007, 57P01...). */
const OUTCOME_UNKNOWN = /^(08|57P0[12])/;

export class BankWorkload {
  /** Transfers per second, over all sessions. */
  rate = 4;
  sessions = 2;
  running = false;
  /** Stopped by a pause of the cluster's time: it starts again when time resumes. */
  heldByPause = false;
  ready = false;
  commits = 0;
  /** Transfers that failed, the indeterminate ones included. */
  errors = 0;
  /** Of the errors: a COMMIT whose connection went, so the client cannot know. */
  indeterminate = 0;
  /** The latest transfers, oldest first, for the client's view. */
  outcomes: TransferOutcome[] = [];
  inFlight = 0;
  lastError: WorkloadError | undefined;
  /** The last transfer's statements, for display. */
  lastSql: string[] = transferSql(1, 2, 10);
  series: WorkloadSample[] = [];

  /** Wall time (ms) the client view measures its time axis from. */
  readonly epoch = Date.now();
  /** Every account's balance as the acknowledged transfers say (see verify). */
  readonly ledger = new BankLedger();
  private cluster: Cluster | undefined;
  private gen = 0;
  private bucket = { commits: 0, errors: 0, latency: 0 };
  private ticker: ReturnType<typeof setInterval> | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly inFlightSince = new Set<number>();
  /** When it last started (ms): the commit rate counts the samples since then only. */
  startedAt = 0;

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  /** Forgets the counters, samples and last error of a previous cluster. */
  reset(): void {
    this.commits = 0;
    this.errors = 0;
    this.indeterminate = 0;
    this.outcomes = [];
    this.lastError = undefined;
    this.series = [];
    this.bucket = { commits: 0, errors: 0, latency: 0 };
    this.changed();
  }

  /** Creates and fills `bank` unless it exists already. */
  async setup(cluster: Cluster): Promise<void> {
    this.reset();
    this.cluster = cluster;
    try {
      await cluster.query(SETUP_SQL[0]!);
      await cluster.query(SETUP_SQL[1]!);
    } catch (e) {
      if ((e as { code?: unknown }).code !== '42P07') throw e;
    }
    // The balances before any transfer of this workload (an existing bank keeps its own).
    this.ledger.baseline(await balances(cluster));
    this.ready = true;
    this.changed();
  }

  start(): void {
    if (this.running || !this.cluster) return;
    this.heldByPause = false;
    this.running = true;
    this.startedAt = Date.now();
    this.gen++;
    for (let i = 0; i < this.sessions; i++) void this.loop(this.gen, i);
    this.ticker = setInterval(() => this.tick(), 1000);
    this.changed();
  }

  stop(): void {
    const held = this.heldByPause;
    this.heldByPause = false;
    if (!this.running) {
      if (held) this.changed();
      return;
    }
    this.running = false;
    this.gen++;
    clearInterval(this.ticker);
    this.changed();
  }

  /** Cluster time pauses: a running workload stops until `resumeWithTime`. */
  pauseWithTime(): void {
    if (!this.running) return;
    this.stop();
    this.heldByPause = true;
    this.changed();
  }

  /** Cluster time runs again: a workload the pause stopped starts again. */
  resumeWithTime(): void {
    if (this.heldByPause) this.start();
  }

  /** Changes rate and sessions; a running workload restarts its loops. */
  configure(rate: number, sessions: number): void {
    if (Number.isFinite(rate)) this.rate = Math.max(0, rate);
    if (Number.isFinite(sessions)) this.sessions = Math.max(1, Math.min(16, Math.round(sessions)));
    if (this.running) {
      this.stop();
      this.start();
    } else this.changed();
  }

  /** Milliseconds the oldest unfinished transfer has been waiting. */
  oldestInFlightMs(now = performance.now()): number {
    let min = now;
    for (const t of this.inFlightSince) min = Math.min(min, t);
    return now - min;
  }

  private tick(): void {
    const b = this.bucket;
    this.series = [
      ...this.series,
      {
        t: Date.now(),
        commits: b.commits,
        errors: b.errors,
        latencyMs: b.commits ? b.latency / b.commits : this.inFlight ? this.oldestInFlightMs() : 0,
        ...(b.commits === 0 && this.inFlight > 0 ? { stalled: true } : {}),
      },
    ].slice(-SERIES);
    this.bucket = { commits: 0, errors: 0, latency: 0 };
    this.changed();
  }

  private alive(gen: number, i: number): boolean {
    return this.running && this.gen === gen && i < this.sessions;
  }

  private async loop(gen: number, i: number): Promise<void> {
    let session: Session | undefined;
    // Sessions start evenly spread over one interval, so that transfers come at an even pace
    // rather than in bursts of every session at once.
    const spread = this.rate > 0 ? 1000 / this.rate : 500 / this.sessions;
    let due = performance.now() + i * spread + Math.random() * Math.min(50, spread);
    while (this.alive(gen, i)) {
      const interval = this.rate > 0 ? (1000 * this.sessions) / this.rate : 500;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      due = Math.max(due + interval, performance.now());
      if (!this.alive(gen, i) || this.rate <= 0 || !this.cluster) continue;
      const a = 1 + Math.floor(Math.random() * ACCOUNTS);
      const b = 1 + ((a + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS);
      const amount = 1 + Math.floor(Math.random() * 50);
      const sql = transferSql(a, b, amount);
      const ledgered = this.ledger.begin(a, b, amount);
      this.lastSql = sql;
      const t0 = performance.now();
      const started = Date.now();
      this.inFlight++;
      this.inFlightSince.add(t0);
      let atCommit = false;
      try {
        session ??= await this.cluster.connect();
        for (const [k, stmt] of sql.entries()) {
          atCommit = k === sql.length - 1;
          await session.query(stmt);
        }
        this.ledger.acknowledged(ledgered);
        this.commits++;
        this.bucket.commits++;
        this.bucket.latency += performance.now() - t0;
        this.note({ start: started, end: Date.now(), outcome: 'ok' });
      } catch (e) {
        const code = String((e as { code?: unknown }).code ?? 'XX000');
        // The connection went during COMMIT: it may or may not have committed.
        const unknown = atCommit && OUTCOME_UNKNOWN.test(code);
        if (unknown) this.ledger.unknown(ledgered);
        else this.ledger.failed(ledgered);
        this.errors++;
        if (unknown) this.indeterminate++;
        this.bucket.errors++;
        this.note({ start: started, end: Date.now(), outcome: unknown ? 'indeterminate' : 'failed', code });
        const detail = (e as { detail?: unknown }).detail;
        this.lastError = {
          code,
          message: e instanceof Error ? e.message : String(e),
          ...(typeof detail === 'string' ? { detail } : {}),
          at: Date.now(),
          ...(unknown ? { indeterminate: true } : {}),
        };
        if (session && !SESSION_LOST.test(code)) {
          try {
            await session.query('rollback');
          } catch {
            session = await this.drop(session);
          }
        } else session = await this.drop(session);
      } finally {
        this.inFlight--;
        this.inFlightSince.delete(t0);
      }
    }
    await this.drop(session);
  }

  /**
   * Compares the bank with what the acknowledged transfers say: an account not what they say
   * means an acknowledged transfer was lost, or a failed one committed after all.
   */
  verify(): Promise<LedgerCheck> {
    const c = this.cluster;
    if (!c) return Promise.reject(new Error('the workload has no cluster'));
    return this.ledger.verify(() => balances(c));
  }

  private note(o: TransferOutcome): void {
    this.outcomes.push(o);
    if (this.outcomes.length > OUTCOMES_KEPT) this.outcomes.splice(0, this.outcomes.length - OUTCOMES_KEPT);
  }

  private async drop(s: Session | undefined): Promise<undefined> {
    await s?.close().catch(() => undefined);
    return undefined;
  }

  /** Stops and forgets the cluster (and what it counted). */
  dispose(): void {
    this.stop();
    this.cluster = undefined;
    this.ready = false;
    this.reset();
  }
}

async function balances(c: Cluster): Promise<[number, number][]> {
  const r = await c.query('select id, balance from bank');
  return r.rows.map(([id, balance]) => [Number(id), Number(balance)]);
}

/** What a client error means for someone watching a failover, by SQLSTATE and message. */
export function explainError(code: string, message: string, indeterminate = false, detail = ''): string {
  if (indeterminate)
    return 'the connection went during COMMIT: the client cannot know whether the transfer committed (it may have); money is conserved either way';
  // Gang creation gave up on a segment still in recovery (not a crashed coordinator's 57P02,
  // which says "in recovery mode" too).
  if (code === '58M01' && /reset\/recovery mode/.test(detail))
    return 'a segment was still recovering (a restart replaying its WAL, or a mirror finishing its promotion) past gp_gang_creation_retry_count retries; the transfer rolled back, and the next one waits again';
  if (/cannot serve \w+ in its current role/.test(message))
    return 'the instance it reached was changing role (a failover or recovery in progress); the client retries on its next transfer';
  if (/^08/.test(code) || code === '58M01')
    return 'the connection to an instance was lost (it crashed or is unreachable); the transfer rolled back';
  if (/gang was lost/.test(message))
    return 'a segment failed over while the transaction was open: its part of the transaction went with the old primary; the transfer rolled back';
  if (code === '57P01' || code === '57P02' || code === '57P03')
    return 'an instance shut down or is still starting; the transfer rolled back';
  if (code === '40001' || code === '40P01')
    return 'a conflict with another transaction; the transfer rolled back';
  if (code === '55000') return 'an instance was not in a state to do this (often a role change under way)';
  if (code === '53100') return 'a disk is full';
  if (code === '57014') return 'the statement was cancelled';
  return 'the transfer rolled back; no money moved';
}

/**
 * Commits per second over the last 5 one-second samples taken after `since` (the workload's
 * start: a stop or pause does not blend in older ones): a single second's count swings with
 * when transfers happen to finish (at 4/s, a second may see 3 or 5).
 */
export function commitRate(series: readonly { t: number; commits: number }[], since = 0): string {
  const recent = series.filter((x) => x.t > since).slice(-5);
  if (recent.length === 0) return '0';
  const mean = recent.reduce((n, x) => n + x.commits, 0) / recent.length;
  return mean >= 10 ? mean.toFixed(0) : mean.toFixed(1);
}
