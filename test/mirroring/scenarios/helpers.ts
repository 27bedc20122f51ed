/**
 * Shared helpers of the failover scenario suite (greenplum-ha.md §2.6, §2.7, §7.1): catalog
 * pairs as (role, preferred_role, mode, status) strings, history rows, FTS scans, and ways to
 * watch a promise that must stay blocked.
 */
import { afterEach, expect } from 'vitest';
import {
  createCluster,
  SqlError,
  type Cluster,
  type EventKind,
  type EventOf,
} from '../../../src/engine/index.ts';
import type { ClusterOptions } from '../../../src/engine/node/api.ts';
import { clusterNow, waitFor, within } from '../../support/wait.ts';

export { clusterNow, waitFor, within };

/** Group mirroring with Greenplum's timings divided by 200 (interval 300 ms, grace 150 ms). */
export const FAST: ClusterOptions = { mirroring: 'group', timeScale: 200 };

/** One cluster per test, closed after it whatever happened. */
export function useCluster(): (options?: ClusterOptions) => Promise<Cluster> {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });
  return async (options = FAST) => (cluster = await createCluster(options));
}

/**
 * The rows of one content as role+preferred_role+mode+status, preferred primary first:
 * 'ppsu,mmsu' is a pair in sync, 'mpnd,pmnu' a failed-over pair.
 */
export async function pair(c: Cluster, content: number): Promise<string> {
  const r = await c.query(
    `select role, preferred_role, mode, status from gp_segment_configuration where content = ${content} order by preferred_role desc`,
  );
  return r.rows.map((x) => x.join('')).join(',');
}

/** Every segment pair, content order. */
export async function pairs(c: Cluster, contents = 4): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < contents; i++) out.push(await pair(c, i));
  return out;
}

/** gp_configuration_history descriptions, oldest first. */
export async function history(c: Cluster): Promise<string[]> {
  return (await c.query('select "desc" from gp_configuration_history order by time')).rows.map(
    (r) => r[0] as string,
  );
}

/** History rows with their dbid, oldest first. */
export async function historyWithDbid(c: Cluster): Promise<[number, string][]> {
  return (await c.query('select dbid, "desc" from gp_configuration_history order by time')).rows.map((r) => [
    r[0] as number,
    r[1] as string,
  ]);
}

/** `select gp_request_fts_probe_scan()`: a full fresh FTS cycle. */
export async function probe(c: Cluster): Promise<void> {
  await c.query('select gp_request_fts_probe_scan()');
}

/** Probes until `pairText` holds for `content`. */
export async function probeUntil(c: Cluster, content: number, pairText: string, ms = 10_000): Promise<void> {
  let last = '';
  await waitFor(
    async () => {
      await probe(c);
      last = await pair(c, content);
      return last === pairText;
    },
    ms,
    `pair(${content}) = ${pairText} (last seen ${last})`,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; last seen ${last}`);
  });
}

/** Probes until every pair is (u,s)/(u,s). */
export async function synced(c: Cluster, ms = 10_000): Promise<void> {
  await waitFor(
    async () => {
      await probe(c);
      const r = await c.query(
        "select count(*) from gp_segment_configuration where content >= 0 and (mode <> 's' or status <> 'u')",
      );
      return r.rows[0]![0] === 0;
    },
    ms,
    'every pair in sync',
  );
}

/** The FTS update history row, Greenplum's exact text (fts.c probeWalRepUpdateConfig). */
export function upd(dbid: number, content: number, role: string, status: string, mode: string): string {
  return `FTS: update role, status, and mode for dbid ${dbid} with contentid ${content} to ${role}, ${status}, and ${mode}`;
}

/** A promise whose settlement can be read synchronously. */
export interface Watched<T> {
  promise: Promise<T>;
  settled(): boolean;
  /** The value, or the error it rejected with (after settlement). */
  outcome(): { ok: true; value: T } | { ok: false; error: unknown } | undefined;
}

export function watch<T>(p: Promise<T>): Watched<T> {
  let out: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  const promise = p.then(
    (value) => {
      out = { ok: true, value };
      return value;
    },
    (error: unknown) => {
      out = { ok: false, error };
      throw error;
    },
  );
  promise.catch(() => undefined);
  return { promise, settled: () => out !== undefined, outcome: () => out };
}

/** Resolves to the error `p` rejects with; fails the test if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<SqlError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SqlError);
    return e as SqlError;
  }
  throw new Error('expected the statement to fail');
}

/** Collects the cluster's events of some kinds. */
export function record<K extends EventKind = EventKind>(c: Cluster, ...kinds: K[]): EventOf<K>[] {
  const out: EventOf<K>[] = [];
  c.subscribe((e) => {
    if (kinds.length === 0 || (kinds as string[]).includes(e.kind)) out.push(e as EventOf<K>);
  });
  return out;
}

/** The value of the distribution key stored on each content, one per content (0..n-1). */
export async function keyOnEachContent(c: Cluster, table: string, contents = 4): Promise<number[]> {
  const r = await c.query(`select gp_segment_id, min(a) from ${table} group by 1 order by 1`);
  const out: number[] = [];
  for (const row of r.rows) out[row[0] as number] = row[1] as number;
  expect(out.filter((x) => x !== undefined).length).toBe(contents);
  return out;
}

/** gp_stat_replication rows as [gp_segment_id, state, sync_state, sync_error]. */
export async function replication(c: Cluster): Promise<[number, string, string, string][]> {
  const r = await c.query(
    'select gp_segment_id, state, sync_state, sync_error from gp_stat_replication order by gp_segment_id',
  );
  return r.rows as [number, string, string, string][];
}
