/**
 * gprecoverseg and gpstate after failures: in-place incremental recovery of a failed former
 * primary (rewind) and of a stopped mirror (no rewind needed), full recovery, rebalance back to
 * preferred roles, the -o / -i files, argument errors, and gpstate's views of each state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster, type ClusterEvent } from '../../src/engine/index.ts';
import { synced, waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function pair(c: Cluster, content: number): Promise<string> {
  const r = await c.query(
    `select role, preferred_role, mode, status from gp_segment_configuration where content = ${content} order by dbid`,
  );
  return r.rows.map((x) => x.join('')).join(',');
}

async function failover(c: Cluster, dbid: number): Promise<void> {
  await c.faults.crash(dbid);
  await c.query('select gp_request_fts_probe_scan()');
}

describe('gprecoverseg', () => {
  it('progress: per-segment kB lines in stdout, and gpstate -e lists "Segments in recovery" while it runs', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await c.query('create table p (a int, b text) distributed by (a)');
    await c.query("insert into p select i, repeat('x', 200) from generate_series(1, 4000) i");
    await synced(c);
    await failover(c, 2);
    const hold = c.faults.suspend('gprecoverseg_copy', 2);
    const run = c.run('gprecoverseg -aF');
    await hold.reached;
    const during = await c.run('gpstate -e');
    expect(during.stdout).toContain('Segments in recovery');
    expect(during.stdout).toMatch(
      /Segment\s+Port\s+Recovery type\s+Completed bytes \(kB\)\s+Total bytes \(kB\)\s+Percentage completed/,
    );
    expect(during.stdout).toMatch(/sdw1\s+6000\s+full\s+0\s+0\s+0%/);
    hold.release();
    const r = await run;
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/sdw1 \(dbid 2\): \d+\/\d+ kB \(\d+%\)/);
    const after = await c.run('gpstate -e');
    expect(after.stdout).not.toContain('Segments in recovery');
  });

  it('mirror_promotion: recover the failed primary as a mirror, then -r restores preferred roles', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await c.query('create table t (a int, b text) distributed by (a)');
    await c.query("insert into t select i, 'x' || i from generate_series(1, 2000) i");
    await synced(c);
    await failover(c, 2);
    expect(await pair(c, 0)).toBe('mpnd,pmnu');
    await c.query("insert into t select i, 'y' || i from generate_series(2001, 2500) i");
    const e = await c.run('gpstate -e');
    expect(e.exitCode).toBe(1);
    expect(e.stdout).toContain('Segments with Primary and Mirror Roles Switched');
    expect(e.stdout).toContain('Downed Segments');

    const r = await c.run('gprecoverseg -a');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(
      'Initiating segment recovery. Upon completion, will start the successfully recovered segments',
    );
    expect(r.stdout).toContain('sdw1 (dbid 2): pg_rewind: Done!');
    // Its last progress line is complete, as pg_rewind's is: what it fetched, all of it.
    expect(r.stdout).toMatch(
      /sdw1 \(dbid 2\): (\d+)\/\1 kB \(100%\) copied\n.*sdw1 \(dbid 2\): pg_rewind: Done!/,
    );
    expect(r.stdout).toContain('Segments successfully recovered.');
    await synced(c);
    expect(await pair(c, 0)).toBe('mpsu,pmsu');
    expect((await c.query('select count(*) from t')).rows).toEqual([[2500]]);

    const seen: ClusterEvent[] = [];
    const off = c.subscribe((ev) => {
      if (ev.kind === 'instance.crash' || ev.kind === 'instance.stopped') seen.push(ev);
    });
    const rb = await c.run('gprecoverseg -ar');
    off();
    expect(rb.exitCode).toBe(0);
    expect(rb.stdout).toContain('The rebalance operation has completed successfully.');
    // Stopping the unbalanced primary is planned: its own event, never a crash.
    expect(seen.map((ev) => [ev.kind, ev.dbid, 'by' in ev ? ev.by : undefined])).toEqual([
      ['instance.stopped', 6, 'gprecoverseg -r'],
    ]);
    await synced(c);
    expect(await pair(c, 0)).toBe('ppsu,mmsu');
    expect((await c.query('select count(*), count(distinct b) from t')).rows).toEqual([[2500, 2500]]);
    expect((await c.run('gpstate -e')).stdout).toContain('All segments are running normally');
  });

  it('a mirror that only stopped is restarted without a rewind', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await c.query('create table m (a int) distributed by (a)');
    await synced(c);
    await c.faults.crash(7);
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (await pair(c, 1)) === 'ppnu,mmnd';
    });
    await c.query('insert into m select generate_series(1, 300)');
    const r = await c.run('gprecoverseg -a');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('skipping pg_rewind on mirror as standby.signal is present');
    await synced(c);
    expect((await c.query('select count(*) from m')).rows).toEqual([[300]]);
  });

  it('incremental recovery moves a fraction of what a full recovery moves', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    const moved: { type: string; bytes: number }[] = [];
    c.subscribe((e: ClusterEvent) => {
      if (e.kind === 'recovery.bytes') moved.push({ type: e['type'] as string, bytes: e['bytes'] as number });
    });
    await c.query('create table big (a int, b text) distributed by (a)');
    await c.query("insert into big select i, repeat('z', 100) from generate_series(1, 40000) i");
    await synced(c);
    await failover(c, 2);
    // Change about 1% of the segment after the failover.
    await c.query("update big set b = 'changed' where a <= 400");
    expect((await c.run('gprecoverseg -a')).exitCode).toBe(0);
    await synced(c);
    await failover(c, 6);
    expect((await c.run('gprecoverseg -aF')).exitCode).toBe(0);
    await synced(c);
    const incremental = moved.find((m) => m.type === 'incremental')!.bytes;
    const full = moved.find((m) => m.type === 'full')!.bytes;
    expect(full).toBeGreaterThan(1_000_000);
    expect(incremental).toBeLessThan(full * 0.1);
    expect((await c.query("select count(*) from big where b = 'changed'")).rows).toEqual([[400]]);
  });

  it('-o writes the failed segments, -i recovers them; an empty -i file recovers nothing', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await synced(c);
    await c.faults.crash(8);
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (await pair(c, 2)) === 'ppnu,mmnd';
    });
    const o = await c.run('gprecoverseg -o failedSegmentFile');
    expect(o.stdout).toContain('Configuration file output to failedSegmentFile successfully');
    const i = await c.run('gprecoverseg -i failedSegmentFile -a');
    expect(i.exitCode).toBe(0);
    expect(i.stdout).toContain('1 segment(s) to recover');
    await synced(c);
    const files = (c as unknown as { files: Map<string, string> }).files;
    files.set('empty', '');
    const e = await c.run('gprecoverseg -i empty -a');
    expect(e.exitCode).toBe(0);
    expect(e.stdout).toContain('No segments to recover');
  });

  it('-i lines as Greenplum 7.1 reads them: a recovery type per line (I|, D|, F|) and hostname|address|port|dir', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await synced(c);
    await c.faults.crash(6);
    await c.faults.crash(7);
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (await pair(c, 0)) === 'ppnu,mmnd' && (await pair(c, 1)) === 'ppnu,mmnd';
    });
    const files = (c as unknown as { files: Map<string, string> }).files;
    const at = async (dbid: number) =>
      (
        await c.query(
          `select hostname, address, port, datadir from gp_segment_configuration where dbid = ${dbid}`,
        )
      ).rows[0]!.map(String);
    const [h6, a6, p6, d6] = await at(6);
    const [, a7, p7, d7] = await at(7);
    files.set('bad', `X|${h6}|${a6}|${p6}|${d6}\n`);
    const bad = await c.run('gprecoverseg -a -i bad');
    expect(bad.exitCode).toBe(2);
    expect(bad.stdout).toContain(
      'Invalid recovery type provided, please provide any of I,D,F,i,d,f as recovery_type',
    );
    files.set('moved', `i|${a6}|${p6}|${d6} sdw3|7100|/data/elsewhere\n`);
    expect((await c.run('gprecoverseg -a -i moved')).stdout).toContain('always recovered in full');
    // dbid 6 in full (type and hostname given), dbid 7 incrementally (the default).
    files.set('mixed', `F|${h6}|${a6}|${p6}|${d6}\n${a7}|${p7}|${d7}\n`);
    const r = await c.run('gprecoverseg -a -i mixed');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Synchronization mode       = Incremental (1 segment(s))');
    expect(r.stdout).toContain('Synchronization mode       = Full (1 segment(s))');
    expect(r.stdout).toMatch(/\(dbid 6\): pg_basebackup: base backup completed/);
    expect(r.stdout).not.toMatch(/\(dbid 7\): pg_basebackup/);
    await synced(c);
  });

  it("argument errors exit 2 with Greenplum's texts", async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    const a = await c.run('gprecoverseg --differential -F');
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toContain('Only one of -F and --differential may be specified');
    const b = await c.run('gprecoverseg --differential -p sdw3');
    expect(b.stderr).toContain('Only one of -p, -r and --differential may be specified');
    const d = await c.run('gprecoverseg --differential -o f');
    expect(d.stderr).toContain('Invalid -o provided with --differential argument');
    expect((await c.run('gprecoverseg -a')).stdout).toContain('No segments to recover');
    expect((await c.run('gprecoverseg -r')).stdout).toContain(
      'No segments are running in their non-preferred role and need to be rebalanced.',
    );
    expect((await c.run('gpfoo')).exitCode).toBe(127);
  });

  it('gpstate shows the healthy, switched and mirrorless states', async () => {
    const c = (cluster = await createCluster({ mirroring: 'group', timeScale: 200 }));
    await synced(c);
    expect((await c.run('gpstate -m')).stdout).toMatch(/Passive\s+Synchronized/);
    expect((await c.run('gpstate -c')).stdout).toMatch(/Primary Active, Mirror Available\s+Synchronized/);
    await failover(c, 3);
    const m = await c.run('gpstate -m');
    expect(m.stdout).toMatch(/Acting as Primary\s+Not In Sync/);
    expect(m.stdout).toContain('1 segment(s) configured as mirror(s) are acting as primaries');
    const s = await c.run('gpstate');
    expect(s.stdout).toMatch(/Total primary segment failures \(at coordinator\)\s+= 1\s+<<<<<<<</);
    const none = await createCluster({ timeScale: 200 });
    try {
      expect((await none.run('gpstate -c')).stdout).toContain('Primary list [Mirror not used]');
      expect((await none.run('gprecoverseg -a')).stdout).toContain(
        'GPDB Mirroring replication is not configured for this Greenplum Database instance.',
      );
    } finally {
      await none.close();
    }
  });
});
