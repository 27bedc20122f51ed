/**
 * Recovery under load: a session keeps committing while gprecoverseg (incremental,
 * differential, full) rebuilds a failed former primary. Afterwards the pair is in sync, every
 * page of the recovered mirror is byte-identical to its primary's (gp_replica_check, which
 * compares them inside the instances, so on every runtime), and no acknowledged commit is
 * missing.
 */
import { describe, expect, it } from 'vitest';
import { createCluster } from '../../src/engine/index.ts';
import { synced, waitFor } from '../support/wait.ts';

describe('gprecoverseg under load', () => {
  for (const mode of ['', '--differential', '-F']) {
    it(`gprecoverseg -a ${mode || '(incremental)'}: in sync, byte-identical pages, no acknowledged commit lost`, async () => {
      const c = await createCluster({
        mirroring: 'group',
        timeScale: 200,
        settings: { shared_buffers: 32 },
      });
      try {
        await c.query('create table t (a int, b text) distributed by (a)');
        await c.query("insert into t select i, repeat('x', i % 40) from generate_series(1, 6000) i");
        await synced(c);
        await c.faults.crash(2);
        await waitFor(async () => {
          await c.query('select gp_request_fts_probe_scan()');
          const r = await c.query('select role from gp_segment_configuration where dbid = 6');
          return r.rows[0]![0] === 'p';
        });
        // Changes the old primary does not have: the rewind must bring them.
        await c.query("update t set b = b || '+' where a % 9 = 0");
        let stop = false;
        const acked: number[] = [];
        const writer = (async () => {
          const s = await c.connect();
          for (let k = 100_000; !stop; k++) {
            await s.query(`insert into t values (${k}, 'load')`);
            acked.push(k);
          }
          await s.close();
        })();
        const r = await c.run(`gprecoverseg -a ${mode}`);
        await waitFor(() => acked.length >= 20, 10_000, 'writes during and after the recovery');
        stop = true;
        await writer;
        expect(r.exitCode).toBe(0);
        await synced(c);
        expect((await c.query("select count(*) from t where b = 'load'")).rows).toEqual([[acked.length]]);
        expect((await c.query('select count(*) from t where a <= 6000')).rows).toEqual([[6000]]);
        await c.query('checkpoint');
        // Content 0: dbid 6 is its primary now, the recovered dbid 2 its mirror.
        const check = await c.run('gp_replica_check -c 0');
        expect(check.exitCode, check.stdout + check.stderr).toBe(0);
        expect(check.stdout).toMatch(
          /content 0 \(primary dbid 6 .*mirror dbid 2 .*\): (\d+) block\(s\) compared/,
        );
        const blocks = Number(/: (\d+) block\(s\) compared/.exec(check.stdout)![1]);
        expect(blocks).toBeGreaterThan(10);
      } finally {
        await c.close();
      }
    });
  }
});
