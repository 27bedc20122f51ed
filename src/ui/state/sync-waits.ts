/**
 * Commits waiting for a mirror, per content, as a DBA finds them: a utility-mode session on each
 * acting primary reads its pg_stat_activity, where a commit held by synchronous replication
 * shows wait_event SyncRep. While a mirror is dead and FTS has not yet marked it down, those
 * commits pile up and the catalog still says the pair is synchronized: this is what the lab
 * shows instead of "synced".
 */
import type { Cluster, Session } from '../../workers/index.ts';
import type { SegmentRow } from './types.ts';

export const SYNC_WAIT_SQL =
  "select count(*), min(query_start), now() from pg_stat_activity where wait_event = 'SyncRep'";

/**
 * A commit waits for its mirror on every commit, for as long as the mirror takes to flush (a
 * few milliseconds): only a wait longer than this (wall clock) is a commit held by a mirror
 * that does not answer.
 */
export const HELD_AFTER_MS = 400;

/** One primary's waiting commits, and since when (wall clock) the oldest has waited. */
export interface SyncWait {
  dbid: number;
  count: number;
  since: number;
}

/** A timestamptz as the engine prints it ('2026-12-03 23:39:53.039+00') in ms since the epoch. */
export function timestampMs(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const t = Date.parse(v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
  return Number.isNaN(t) ? undefined : t;
}

/** A call that does not answer in time counts as no answer (a primary busy or going away). */
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(undefined);
      },
    );
  });
}

export class SyncWaitWatcher {
  /** By content: the acting primary's commits waiting for its mirror (absent when none). */
  waits = new Map<number, SyncWait>();
  private readonly sessions = new Map<number, Session>();
  /** Queries still running (a session runs one at a time): their last answer stands. */
  private readonly busy = new Set<number>();

  /**
   * Reads every mirrored acting primary that is up; answers within about a second.
   * `toWallMs` turns a span of cluster time into wall-clock ms (the lab's compressed time).
   */
  async read(
    c: Cluster,
    rows: SegmentRow[],
    isUp: (dbid: number) => boolean,
    toWallMs: (clusterMs: number) => number,
    now = Date.now(),
  ): Promise<void> {
    const mirrored = new Set(rows.filter((r) => r.content >= 0 && r.role === 'm').map((r) => r.content));
    const primaries = rows.filter(
      (r) => r.content >= 0 && r.role === 'p' && r.status === 'u' && mirrored.has(r.content) && isUp(r.dbid),
    );
    const next = new Map<number, SyncWait>();
    await Promise.all(
      primaries.map(async (p) => {
        const before = this.waits.get(p.content);
        if (this.busy.has(p.dbid)) {
          if (before?.dbid === p.dbid) next.set(p.content, before);
          return;
        }
        const w = await withDeadline(this.count(c, p.dbid), 1000);
        if (!w || !w.count) return;
        const waited = toWallMs(w.ageMs);
        if (waited < HELD_AFTER_MS) return;
        next.set(p.content, { dbid: p.dbid, count: w.count, since: now - waited });
      }),
    );
    for (const [dbid, s] of this.sessions)
      if (!primaries.some((p) => p.dbid === dbid)) {
        this.sessions.delete(dbid);
        void s.close().catch(() => undefined);
      }
    this.waits = next;
  }

  /** The primary's commits waiting in SyncRep, and how long (cluster time) the oldest has. */
  private async count(c: Cluster, dbid: number): Promise<{ count: number; ageMs: number }> {
    let s = this.sessions.get(dbid);
    this.busy.add(dbid);
    try {
      if (!s) {
        s = await c.connect({ dbid });
        this.sessions.set(dbid, s);
      }
      const r = await s.query(SYNC_WAIT_SQL);
      const [n, oldest, at] = r.rows[0] ?? [];
      const a = timestampMs(at);
      const o = timestampMs(oldest);
      return { count: Number(n ?? 0), ageMs: a !== undefined && o !== undefined ? Math.max(0, a - o) : 0 };
    } catch (e) {
      this.sessions.delete(dbid);
      void s?.close().catch(() => undefined);
      throw e;
    } finally {
      this.busy.delete(dbid);
    }
  }

  close(): void {
    for (const s of this.sessions.values()) void s.close().catch(() => undefined);
    this.sessions.clear();
    this.waits.clear();
  }
}
