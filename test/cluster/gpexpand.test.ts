/**
 * gpexpand: a mirrored cluster grown online. Setup adds primaries and mirrors and leaves every
 * table on its old segments (numsegments), where queries and DML keep working; redistribution
 * moves each table's rows to the segment their hash over the new count says, with counts and
 * sums unchanged and mirrors byte-identical; refusals change nothing; a setup that failed is
 * rolled back with the catalog as it was; a failover in the middle loses nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster, type ClusterOptions } from '../../src/engine/index.ts';
import { cdbhash } from '../../src/engine/sql/cdbhash.ts';
import { T } from '../../src/engine/sql/types.ts';
import { clusterNow, synced, waitFor } from '../support/wait.ts';

let c: Cluster | undefined;
afterEach(async () => {
  await c?.close();
  c = undefined;
});

async function start(options: ClusterOptions): Promise<Cluster> {
  c = await createCluster({ timeScale: 200, ...options });
  await c.query('create table t (a int, b int) distributed by (a)');
  await c.query('insert into t select g, g * 2 from generate_series(1, 2000) g');
  await c.query('create index t_b on t (b)');
  await c.query('create table r (a int, v text) distributed replicated');
  await c.query("insert into r select g, 'v' || g from generate_series(1, 20) g");
  await c.query('create table z (a int) distributed randomly');
  await c.query('insert into z select g from generate_series(1, 300) g');
  return c;
}

const catalog = async (cl: Cluster) =>
  (
    await cl.query(
      'select dbid, content, role, preferred_role, mode, status, hostname, port, datadir from gp_segment_configuration order by dbid',
    )
  ).rows;

const one = async (cl: Cluster, sql: string) => (await cl.query(sql)).rows[0]!;

/** Every row of t on the segment its key hashes to over `n` segments. */
async function placedByHash(cl: Cluster, n: number): Promise<void> {
  const rows = (await cl.query('select a, gp_segment_id from t')).rows;
  expect(rows).toHaveLength(2000);
  const misplaced = rows.filter(([a, seg]) => cdbhash([a as number], [T.int4], n) !== seg);
  expect(misplaced).toEqual([]);
}

async function interviewFile(cl: Cluster, hosts: string[]): Promise<string> {
  // As a DBA writes it on the coordinator host.
  expect((await cl.run(`printf '${hosts.join('\\n')}\\n' > new_hosts`)).exitCode).toBe(0);
  expect(cl.files.get('new_hosts')).toBe(hosts.join('\n') + '\n');
  const r = await cl.run('gpexpand -f new_hosts');
  expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  const name = /with: gpexpand -i (\S+)/.exec(r.stdout)![1]!;
  expect((await cl.run('cat gpexpand_inputfile_*')).stdout).toBe(cl.files.get(name));
  return name;
}

describe('gpexpand', () => {
  it('grows 2 hosts to 4 with group mirroring: setup, queries on partial tables, redistribution', async () => {
    const cl = await start({ mirroring: 'group' });
    const before = await catalog(cl);
    const sums = await one(cl, 'select count(*), sum(b) from t');
    const name = await interviewFile(cl, ['sdw3', 'sdw4']);
    expect(cl.files.get(name)).toBe(
      [
        'sdw3|sdw3|6000|/data/primary/gpseg4|10|4|p',
        'sdw4|sdw4|7000|/data/mirror/gpseg4|16|4|m',
        'sdw3|sdw3|6001|/data/primary/gpseg5|11|5|p',
        'sdw4|sdw4|7001|/data/mirror/gpseg5|17|5|m',
        'sdw4|sdw4|6000|/data/primary/gpseg6|12|6|p',
        'sdw3|sdw3|7000|/data/mirror/gpseg6|14|6|m',
        'sdw4|sdw4|6001|/data/primary/gpseg7|13|7|p',
        'sdw3|sdw3|7001|/data/mirror/gpseg7|15|7|m',
        '',
      ].join('\n'),
    );
    const setup = await cl.run(`gpexpand -i ${name}`);
    expect(setup.exitCode, setup.stdout + setup.stderr).toBe(0);
    expect(setup.stdout).toContain('Initialization of the system expansion complete.');
    await synced(cl, 30_000);
    const after = await catalog(cl);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((r) => [r[1], r[2], r[4], r[5], r[6]])).toEqual([
      [4, 'p', 's', 'u', 'sdw3'],
      [5, 'p', 's', 'u', 'sdw3'],
      [6, 'p', 's', 'u', 'sdw4'],
      [7, 'p', 's', 'u', 'sdw4'],
      [6, 'm', 's', 'u', 'sdw3'],
      [7, 'm', 's', 'u', 'sdw3'],
      [4, 'm', 's', 'u', 'sdw4'],
      [5, 'm', 's', 'u', 'sdw4'],
    ]);

    // Between the phases: old tables stay on their 4 segments, new ones use all 8.
    const plan = (await cl.query('explain select * from t')).rows.map((r) => r[0]).join('\n');
    expect(plan).toContain('Gather Motion 4:1  (slice1; segments: 4)');
    await cl.query('create table n (a int, b int) distributed by (a)');
    await cl.query('insert into n select g, g from generate_series(1, 500) g');
    expect((await cl.query('explain select * from n')).rows.map((r) => r[0]).join('\n')).toContain(
      'Gather Motion 8:1  (slice1; segments: 8)',
    );
    expect(await one(cl, 'select count(*) from t join n on t.a = n.a')).toEqual([500]);
    expect(await one(cl, 'select count(*) from t join r on t.a = r.a')).toEqual([20]);
    expect(await one(cl, 'select count(*) from n join z on n.a = z.a')).toEqual([300]);
    await cl.query('insert into t values (5000, 10000)');
    await cl.query('update t set b = b + 1 where a = 5000');
    await cl.query('delete from t where a = 5000');
    expect(await one(cl, 'select max(gp_segment_id) from t')).toEqual([3]);
    await placedByHash(cl, 4);
    const details = (await cl.query('select fq_name, status, rank from gpexpand.status_detail order by 1'))
      .rows;
    expect(details).toEqual([
      ['public.r', 'NOT STARTED', 2],
      ['public.t', 'NOT STARTED', 2],
      ['public.z', 'NOT STARTED', 2],
    ]);
    expect(
      (await cl.query("select tablename from pg_tables where schemaname = 'gpexpand' order by 1")).rows,
    ).toEqual([['status'], ['status_detail']]);
    const paused = await cl.run('gpstate -x');
    expect(paused.stdout).toContain('Cluster Expansion State = Data Distribution - Paused');
    expect(paused.stdout).toMatch(/postgres\s+3/);

    const redistribute = await cl.run('gpexpand');
    expect(redistribute.exitCode, redistribute.stdout + redistribute.stderr).toBe(0);
    expect(redistribute.stdout).toContain('EXPANSION COMPLETED SUCCESSFULLY');
    expect(await one(cl, 'select count(*), sum(b) from t')).toEqual(sums);
    await placedByHash(cl, 8);
    expect(await one(cl, 'select count(distinct gp_segment_id) from z')).toEqual([8]);
    expect(await one(cl, 'select count(*) from z')).toEqual([300]);
    expect(await one(cl, 'select count(*) from r')).toEqual([20]);
    expect(await one(cl, 'select count(*) from t where b = 40')).toEqual([1]);
    expect((await cl.query('select distinct numsegments from gp_distribution_policy')).rows).toEqual([[8]]);
    expect((await cl.run('gpstate -x')).stdout).toContain('Cluster Expansion State = Expansion Complete');
    const progress = new Map(
      (await cl.query('select name, value from gpexpand.expansion_progress')).rows as [string, string][],
    );
    expect(progress.get('Tables Expanded')).toBe('3');
    await synced(cl, 30_000);
    const check = await cl.run('gp_replica_check');
    expect(check.exitCode, check.stdout).toBe(0);
    const clean = await cl.run('gpexpand -c');
    expect(clean.exitCode, clean.stdout + clean.stderr).toBe(0);
    expect((await cl.run('gpstate -x')).stdout).toContain('Cluster Expansion State = No Expansion Detected');
  });

  it('grows 3 hosts to 4 with spread mirrors from an input file; refuses layouts that cannot protect', async () => {
    const cl = await start({ mirroring: 'spread', hosts: ['sdw1', 'sdw2', 'sdw3'], segmentsPerHost: 2 });
    const before = await catalog(cl);
    // The interview: one new host is not enough for a mirrored cluster, two are too few for spread.
    cl.files.set('one', 'sdw4\n');
    const oneHost = await cl.run('gpexpand -f one');
    expect(oneHost.exitCode).toBe(3);
    expect(oneHost.stdout).toContain(
      'gpexpand failed: You must be adding two or more hosts when expanding a system with mirroring enabled.',
    );
    cl.files.set('existing', 'sdw1\nsdw2\n');
    const existing = await cl.run('gpexpand -f existing');
    expect(existing.exitCode).toBe(3);
    expect(existing.stdout).toContain(
      'sdw1, sdw2 already in the array: named hosts get segments only as new hosts',
    );
    // Greenplum's order: a mirrored cluster needs two new hosts before anything else is asked.
    expect(existing.stdout).toContain(
      'You must be adding two or more hosts when expanding a system with mirroring enabled.',
    );
    cl.files.set('two', 'sdw4\nsdw5\n');
    const two = await cl.run('gpexpand -f two');
    expect(two.exitCode).toBe(3);
    expect(two.stdout).toContain(
      'Not enough hosts for spread mirroring.  You must have more hosts than primary segments per host',
    );
    // A mirror on its own primary's host (group with one new host) is refused whole.
    cl.files.set(
      'same',
      ['sdw4|sdw4|6000|/data/primary/gpseg6|14|6|p', 'sdw4|sdw4|7000|/data/mirror/gpseg6|15|6|m'].join('\n'),
    );
    const same = await cl.run('gpexpand -i same');
    expect(same.exitCode).toBe(3);
    expect(same.stdout).toContain('has its primary and its mirror on host sdw4');
    cl.files.set(
      'gap',
      'sdw4|sdw4|6000|/data/primary/gpseg7|13|7|p\nsdw1|sdw1|7100|/data/mirror/gpseg7|14|7|m\n',
    );
    expect((await cl.run('gpexpand -i gap')).stdout).toContain(
      'Invalid input file: Expansion segments do not have contiguous content ids.',
    );
    cl.files.set('short', 'sdw4|sdw4|6000|/data/primary/gpseg6|13|6\n');
    expect((await cl.run('gpexpand -i short')).stdout).toContain(
      'Invalid input file on line 1 of file short: expected 7 parts, obtained 6',
    );
    expect(await catalog(cl)).toEqual(before);

    // sdw4's two primaries, their mirrors spread over sdw1 and sdw2.
    cl.files.set(
      'spread',
      [
        'sdw4|sdw4|6000|/data/primary/gpseg6|14|6|p',
        'sdw1|sdw1|7100|/data/mirror/gpseg6|16|6|m',
        'sdw4|sdw4|6001|/data/primary/gpseg7|15|7|p',
        'sdw2|sdw2|7100|/data/mirror/gpseg7|17|7|m',
      ].join('\n'),
    );
    const setup = await cl.run('gpexpand -i spread');
    expect(setup.exitCode, setup.stdout + setup.stderr).toBe(0);
    await synced(cl, 30_000);
    const sums = await one(cl, 'select count(*), sum(b) from t');
    const run = await cl.run('gpexpand -n 2');
    expect(run.exitCode, run.stdout).toBe(0);
    await placedByHash(cl, 8);
    expect(await one(cl, 'select count(*), sum(b) from t')).toEqual(sums);
    await synced(cl, 30_000);
    const check = await cl.run('gp_replica_check');
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
  });

  it('the interview reads piped answers: new hosts, a strategy, extra segments on every host', async () => {
    const cl = await start({ mirroring: 'group' });
    const before = await catalog(cl);
    // Answers as Greenplum's gpexpand reads them, one per line; a wrong one is asked again.
    const r = await cl.run(
      "printf 'y\\nsdw3,sdw4\\nmirrored\\ngrouped\\n1\\n/data/primary\\n/data/mirror\\n' | gpexpand",
    );
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("Invalid input: 'mirrored'");
    expect(r.stdout).toContain(
      'How many new primary segments per host do you want to add? (default=0):\n> 1',
    );
    const name = /with: gpexpand -i (\S+)/.exec(r.stdout)![1]!;
    const rows = cl.files
      .get(name)!
      .trim()
      .split('\n')
      .map((l) => l.split('|'));
    // Two new hosts with two primaries each, and one more primary on each of the four hosts.
    const primaries = rows.filter((x) => x[6] === 'p');
    const mirrors = rows.filter((x) => x[6] === 'm');
    expect(primaries).toHaveLength(8);
    expect(mirrors).toHaveLength(8);
    expect(rows.map((x) => Number(x[4])).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 16 }, (_, i) => 10 + i),
    );
    expect(new Set(primaries.map((x) => Number(x[5])))).toEqual(new Set([4, 5, 6, 7, 8, 9, 10, 11]));
    const extra = primaries.filter((x) => x[2] === '6002');
    expect(extra.map((x) => x[0]).sort()).toEqual(['sdw1', 'sdw2', 'sdw3', 'sdw4']);
    const order = ['sdw1', 'sdw2', 'sdw3', 'sdw4'];
    for (const p of extra) {
      const m = mirrors.find((x) => x[5] === p[5])!;
      // Grouped: the next host takes them, on the next mirror port, under the roots given.
      expect(m[0]).toBe(order[(order.indexOf(p[0]!) + 1) % 4]);
      expect(m[2]).toBe('7002');
      expect(p[3]).toBe(`/data/primary/gpseg${p[5]}`);
      expect(m[3]).toBe(`/data/mirror/gpseg${p[5]}`);
    }
    // The file works: setup, then every row where its hash over 12 segments says.
    expect(await catalog(cl)).toEqual(before);
    const setup = await cl.run(`gpexpand -i ${name}`);
    expect(setup.exitCode, setup.stdout + setup.stderr).toBe(0);
    expect((await cl.run('gpexpand')).stdout).toContain('EXPANSION COMPLETED SUCCESSFULLY');
    await placedByHash(cl, 12);
    // Every pair in sync first (under load a new mirror may still be catching up; the check
    // counts a pair that is not synchronized as not verified, exit 1), as the other cases do.
    await synced(cl, 30_000);
    const check = await cl.run('gp_replica_check');
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
  });

  it('the interview stops as Greenplum does: no, end of input, a count that is not a number', async () => {
    c = await createCluster({ mirroring: 'group', timeScale: 200 });
    const no = await c.run("printf 'n\\n' | gpexpand");
    expect(no.exitCode).toBe(0);
    expect(no.stdout).toContain('User Aborted. Exiting...');
    const eof = await c.run("printf 'y\\nsdw3,sdw4\\n' | gpexpand");
    expect(eof.exitCode).toBe(3);
    expect(eof.stdout).toContain('gpexpand failed: EOF when reading a line');
    const nan = await c.run("printf 'y\\nsdw3,sdw4\\n\\nmany\\n' | gpexpand");
    expect(nan.exitCode).toBe(3);
    expect(nan.stdout).toContain("gpexpand failed: invalid literal for int() with base 10: 'many'");
    expect([...c.files.keys()].filter((f) => f.startsWith('gpexpand_inputfile'))).toEqual([]);
    expect((await c.run('gpstate | gpexpand')).stderr).toContain(
      'only cat, echo, printf, ls can feed a pipe',
    );
  });

  it('a setup that failed before the catalog changed is rolled back; the catalog is unchanged', async () => {
    const cl = await start({ mirroring: 'group' });
    const before = await catalog(cl);
    const name = await interviewFile(cl, ['sdw3', 'sdw4']);
    const held = cl.faults.suspend('gpexpand_build_segments', 12);
    const run = cl
      .run(`gpexpand -i ${name}`)
      .catch((e: Error) => ({ exitCode: -1, stdout: e.message, stderr: '' }));
    await held.reached;
    // Setup holds the catalog: DDL waits for it to finish.
    await expect(cl.query('create table x (a int)')).rejects.toMatchObject({
      code: '55000',
      message: 'gpexpand in progress, catalog changes are disallowed.',
    });
    expect((await cl.run('gpstate -x')).stdout).toContain('Cluster Expansion State = Replicating Meta Data');
    // The coordinator host goes down in the middle of building the new segments.
    await cl.faults.crash(1);
    held.release();
    const failed = await run;
    expect(failed.exitCode).not.toBe(0);
    await cl.faults.restart(1);
    await waitFor(async () => (await cl.query('select 1').catch(() => undefined)) !== undefined, 20_000);
    const again = await cl.run(`gpexpand -i ${name}`);
    expect(again.stdout).toContain('Please run gpexpand -r to rollback to the original state.');
    const rollback = await cl.run('gpexpand -r');
    expect(rollback.exitCode, rollback.stdout + rollback.stderr).toBe(0);
    expect(rollback.stdout).toContain('Rollback complete.');
    expect(await catalog(cl)).toEqual(before);
    // The new segments' data directories went with them, on every runtime.
    const hosts = new Set((await cl.dataDirectories()).map((d) => d.hostname));
    expect(hosts.has('sdw3') || hosts.has('sdw4')).toBe(false);
    expect((await cl.dataDirectories()).filter((d) => d.retired)).toEqual([]);
    expect((await cl.run('gpexpand -r')).stdout).toContain(
      'There is no partially completed setup to rollback.',
    );
    // The same file works once rolled back.
    const setup = await cl.run(`gpexpand -i ${name}`);
    expect(setup.exitCode, setup.stdout + setup.stderr).toBe(0);
    expect(await one(cl, 'select count(*) from gp_segment_configuration where content >= 0')).toEqual([16]);
  });

  it('setup waits for transactions that changed the catalog; its status file reaches the standby', async () => {
    const cl = await start({ mirroring: 'group', standby: true });
    const segments = async () => (await catalog(cl)).filter((r) => (r[1] as number) >= 0);
    const before = await segments();
    expect((await cl.run('gpstate')).stdout).not.toContain('Cluster Expansion');
    const name = await interviewFile(cl, ['sdw3', 'sdw4']);
    // A transaction that created a table and is still open when setup starts.
    const ddl = await cl.connect();
    await ddl.query('begin');
    await ddl.query('create table early (a int) distributed by (a)');
    await ddl.query('insert into early select generate_series(1, 100)');
    let committed = false;
    let lockedBeforeCommit: boolean | undefined;
    const held = cl.faults.suspend('gpexpand_build_segment_template_started', 1);
    void held.reached.then(() => (lockedBeforeCommit = !committed));
    const run = cl
      .run(`gpexpand -i ${name}`)
      .catch((e: Error) => ({ exitCode: -1, stdout: e.message, stderr: '' }));
    await waitFor(
      async () =>
        (await cl.run('gpstate -x')).stdout.includes('Cluster Expansion State = Replicating Meta Data'),
      20_000,
      'setup started',
    );
    // Setup waits for the catalog lock; meanwhile other sessions' DDL is refused, the open
    // transaction's is not, and the utilities see the setup.
    await expect(cl.query('create table late (a int)')).rejects.toMatchObject({ code: '55000' });
    await ddl.query('create index early_a on early (a)');
    const summary = await cl.run('gpstate');
    expect(summary.stdout).toMatch(/Cluster Expansion\s+= In Progress/);
    const gpconfig = await cl.run('gpconfig -c statement_timeout -v 60000');
    expect(gpconfig.exitCode).toBe(1);
    expect(gpconfig.stdout).toContain(
      'ERROR: Usage of gpconfig is not supported while the cluster is in a reconfiguration state, exit gpconfig',
    );
    expect(lockedBeforeCommit).toBeUndefined();
    committed = true;
    await ddl.query('commit');
    await ddl.close();
    await held.reached;
    expect(lockedBeforeCommit).toBe(false);
    // The coordinator fails in the middle of setup; the standby is activated and finds the
    // status file (copied to it at every step), so it can roll the setup back.
    await cl.faults.crash(1);
    held.release();
    expect((await run).exitCode).not.toBe(0);
    const activate = await cl.run('gpactivatestandby -a -d /data/coordinator/gpseg-1');
    expect(activate.exitCode, activate.stdout + activate.stderr).toBe(0);
    expect((await cl.run('gpstate -x')).stdout).toContain('Cluster Expansion State = Replicating Meta Data');
    expect((await cl.run(`gpexpand -i ${name}`)).stdout).toContain('Please run gpexpand -r');
    const rollback = await cl.run('gpexpand -r');
    expect(rollback.exitCode, rollback.stdout + rollback.stderr).toBe(0);
    expect(rollback.stdout).toContain('Rollback complete.');
    expect(await segments()).toEqual(before);
    expect((await cl.run('gpstate -x')).stdout).toContain('Cluster Expansion State = No Expansion Detected');
    expect((await cl.run('gpstate')).stdout).not.toContain('Cluster Expansion');
    expect(await one(cl, 'select count(*), sum(a) from early')).toEqual([100, 5050]);
    expect((await cl.run('gpconfig -c statement_timeout -v 60000')).exitCode).toBe(0);
  });

  it('a coordinator crash ends a setup waiting for the catalog lock; -r then rolls it back', async () => {
    const cl = await start({ mirroring: 'group' });
    const before = await catalog(cl);
    const name = await interviewFile(cl, ['sdw3', 'sdw4']);
    const ddl = await cl.connect();
    await ddl.query('begin');
    await ddl.query('create table early (a int) distributed by (a)');
    const run = cl
      .run(`gpexpand -i ${name}`)
      .catch((e: Error) => ({ exitCode: -1, stdout: e.message, stderr: '' }));
    await waitFor(
      async () => (await cl.run('gpstate -x')).stdout.includes('Replicating Meta Data'),
      20_000,
      'setup waiting for the catalog lock',
    );
    await cl.faults.crash(1);
    // The wait ends with the coordinator, not when the dead transaction's session closes.
    const failed = await run;
    expect(failed.exitCode).not.toBe(0);
    expect(failed.stdout).not.toContain('Locked catalog');
    await cl.faults.restart(1);
    await ddl.close().catch(() => undefined);
    await waitFor(async () => (await cl.query('select 1').catch(() => undefined)) !== undefined, 20_000);
    const rollback = await cl.run('gpexpand -r');
    expect(rollback.exitCode, rollback.stdout + rollback.stderr).toBe(0);
    expect(rollback.stdout).toContain('Rollback complete.');
    expect(await catalog(cl)).toEqual(before);
    await expect(cl.query('select * from early')).rejects.toMatchObject({ code: '42P01' });
  });

  it('a setup that failed past the catalog update is retried, not rolled back', async () => {
    const cl = await start({ mirroring: 'group' });
    const name = await interviewFile(cl, ['sdw3', 'sdw4']);
    // Held just after the catalog changed; a primary fails before the schema is made.
    const held = cl.faults.suspend('gpexpand_update_catalog_done', 1);
    const run = cl.run(`gpexpand -i ${name}`);
    await Promise.race([held.reached, run.then((r) => Promise.reject(new Error(r.stdout + r.stderr)))]);
    // FTS held: the crash is not seen, so the schema's DDL meets the dead primary.
    const fts = cl.faults.suspend('fts_probe', 1);
    await cl.faults.crash(3);
    held.release();
    const failed = await run;
    fts.release();
    expect(failed.exitCode).toBe(3);
    expect(failed.stdout).toContain('gpexpand is past the point of rollback.');
    expect((await cl.run('gpexpand -r')).stdout).toContain(
      'Catalog has been changed, the cluster can not rollback.',
    );
    await waitFor(
      async () => (await one(cl, 'select role from gp_segment_configuration where dbid = 7'))[0] === 'p',
      30_000,
      'mirror of content 1 promoted',
    );
    const retry = await cl.run(`gpexpand -i ${name}`);
    expect(retry.exitCode, retry.stdout + retry.stderr).toBe(0);
    expect(retry.stdout).toContain('So retry the failing work again in gpexpand setup.');
    expect(retry.stdout).toContain('Initialization of the system expansion complete.');
    expect((await cl.run('gpexpand')).stdout).toContain('EXPANSION COMPLETED SUCCESSFULLY');
    await placedByHash(cl, 8);
  });

  it('stops at its end time and resumes; a primary failover in the middle loses nothing', async () => {
    const cl = await start({ mirroring: 'group' });
    const sums = await one(cl, 'select count(*), sum(b) from t');
    const name = await interviewFile(cl, ['sdw3', 'sdw4']);
    expect((await cl.run(`gpexpand -i ${name}`)).exitCode).toBe(0);
    await synced(cl, 30_000);
    // Held while building t's index on a new segment: the end time (10 minutes of cluster time,
    // 3 s here) passes meanwhile.
    const held = cl.faults.suspend('index_build', 10);
    const startedAt = clusterNow(cl);
    const stopped = cl.run('gpexpand -d 0:10:0');
    await Promise.race([held.reached, stopped.then((r) => Promise.reject(new Error(r.stdout + r.stderr)))]);
    expect((await cl.run('gpstate -x')).stdout).toContain('Active redistributions = 1');
    await waitFor(() => clusterNow(cl) > startedAt + 3_200, 10_000, 'the end time passed');
    held.release();
    const first = await stopped;
    expect(first.exitCode, first.stdout).toBe(0);
    expect(first.stdout).toContain('End time reached.  Stopping expansion.');
    expect((await cl.run('gpstate -x')).stdout).toContain('Data Distribution - Paused');
    expect(await one(cl, 'select count(*), sum(b) from t')).toEqual(sums);

    // A primary of an old segment fails; its mirror takes over; the run goes on there.
    await cl.faults.crash(2);
    await waitFor(
      async () => (await one(cl, 'select role from gp_segment_configuration where dbid = 6'))[0] === 'p',
      30_000,
      'mirror promoted',
    );
    const resumed = await cl.run('gpexpand');
    expect(resumed.exitCode, resumed.stdout).toBe(0);
    expect(resumed.stdout).toContain('EXPANSION COMPLETED SUCCESSFULLY');
    expect(await one(cl, 'select count(*), sum(b) from t')).toEqual(sums);
    await placedByHash(cl, 8);
    const recover = await cl.run('gprecoverseg -a');
    expect(recover.exitCode, recover.stdout).toBe(0);
    await synced(cl, 30_000);
    expect(await one(cl, 'select count(*), sum(b) from t')).toEqual(sums);
    expect((await cl.run('gp_replica_check')).exitCode).toBe(0);
  });

  it('statements waiting behind an expansion see the table as it is after it; one gpexpand at a time', async () => {
    const cl = await start({ mirroring: 'group' });
    const name = await interviewFile(cl, ['sdw3', 'sdw4']);
    // A table created on the old segments by a transaction still open when setup starts:
    // setup waits for it to commit, then lists the table for redistribution.
    const late = await cl.connect();
    await late.query('begin');
    await late.query('create table late (a int) distributed by (a)');
    await late.query('insert into late select g from generate_series(1, 100) g');
    const setup = cl.run(`gpexpand -i ${name}`);
    await waitFor(
      async () =>
        (await cl.run('gpstate -x')).stdout.includes('Cluster Expansion State = Replicating Meta Data'),
      20_000,
      'setup started',
    );
    await late.query('commit');
    await late.close();
    const done = await setup;
    expect(done.exitCode, done.stdout + done.stderr).toBe(0);
    expect(
      (await cl.query("select status from gpexpand.status_detail where fq_name = 'public.late'")).rows,
    ).toEqual([['NOT STARTED']]);
    const a = await cl.connect();
    const b = await cl.connect();
    const d = await cl.connect();
    try {
      await a.query('begin');
      await a.query('alter table t expand table');
      // Queued behind A's ACCESS EXCLUSIVE lock, they run once it commits, on the new file.
      const insert = b.query('insert into t values (5001, 1)');
      const count = d.query('select count(*) from t');
      const second = cl.connect().then(async (e) => {
        try {
          return await e.query('alter table t expand table');
        } finally {
          await e.close();
        }
      });
      await a.query('commit');
      expect((await insert).rowCount).toBe(1);
      expect((await count).rows).toEqual([[2000]]);
      await second;
      expect(await one(cl, 'select count(*) from t')).toEqual([2001]);
      expect(await one(cl, 'select count(*) from t where a = 5001')).toEqual([1]);
      // An expansion cannot be undone by a savepoint: the old file goes at commit.
      await a.query('begin');
      await a.query('savepoint s');
      await expect(a.query('alter table z expand table')).rejects.toMatchObject({ code: '0A000' });
      await a.query('rollback');
    } finally {
      await a.close();
      await b.close();
      await d.close();
    }
    const [x, y] = await Promise.all([cl.run('gpexpand'), cl.run('gpexpand')]);
    const refused = [x, y].find((r) => r.exitCode === 1)!;
    expect(refused.stdout).toContain('gpexpand is already running.  Only one instance');
    expect([x, y].find((r) => r.exitCode === 0)!.stdout).toContain('EXPANSION COMPLETED SUCCESSFULLY');
    expect(await one(cl, 'select count(*) from t')).toEqual([2001]);
    expect(await one(cl, 'select count(*) from r')).toEqual([20]);
    expect(await one(cl, 'select count(*) from z')).toEqual([300]);
    // Nothing is left on the old segments.
    expect((await cl.query('select distinct numsegments from gp_distribution_policy')).rows).toEqual([[8]]);
    expect(await one(cl, 'select count(*), count(distinct gp_segment_id) from late')).toEqual([100, 8]);
  });

  it('refuses bad flags and DDL during setup with clear errors', async () => {
    c = await createCluster({ mirroring: 'group', timeScale: 200 });
    expect(await c.run('gpexpand -r -c')).toMatchObject({ exitCode: 2 });
    expect((await c.run('gpexpand -n 0')).stderr).toContain('parallel value must be >= 1 and <= 96');
    expect((await c.run('gpexpand -t /tmp')).stderr).toContain('-t: the lab copies');
    expect((await c.run('gpexpand extra')).stderr).toContain('Unknown argument extra');
    expect((await c.run('gpexpand -e 2001-01-01')).stdout).toContain('End time occurs in the past');
    const noHosts = await c.run('gpexpand');
    expect(noHosts.exitCode).toBe(3);
    expect(noHosts.stdout).toContain('give the new hosts in a file with -f hosts_file');
    expect((await c.run('gpexpand -i nothere')).stdout).toContain('Input file nothere not found');
    expect((await c.run('gpexpand -r')).stdout).toContain(
      'There is no partially completed setup to rollback.',
    );
    await expect(c.query('alter table nothere add column b int')).rejects.toMatchObject({ code: '0A000' });
    await expect(c.query('alter table nothere expand table')).rejects.toMatchObject({ code: '42P01' });
    expect((await c.query('alter table if exists nothere expand table')).notices).toEqual([
      'NOTICE:  relation "nothere" does not exist, skipping',
    ]);
  });
});
