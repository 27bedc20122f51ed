/**
 * pg_controldata: an instance's control file, running or stopped, on the coordinator's host or
 * on a segment host through ssh; pg_controldata's own errors and exit codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';

let c: Cluster;
beforeAll(async () => {
  c = await createCluster({ mirroring: 'group', timeScale: 200 });
});
afterAll(async () => {
  await c?.close();
});

const field = (out: string, name: string) =>
  out
    .split('\n')
    .find((l) => l.startsWith(`${name}:`))
    ?.slice(name.length + 1)
    .trim();

const dirOf = async (dbid: number) =>
  (await c.query(`select datadir from gp_segment_configuration where dbid = ${dbid}`)).rows[0]![0] as string;

describe('pg_controldata', () => {
  it("prints the coordinator's control file, the labels padded as Postgres pads them", async () => {
    const r = await c.run(`pg_controldata ${await dirOf(1)}`);
    expect(r.exitCode).toBe(0);
    expect(field(r.stdout, 'Database cluster state')).toBe('in production');
    expect(r.stdout).toMatch(/^Latest checkpoint location: {11}[0-9A-F]+\/[0-9A-F]+$/m);
    expect(field(r.stdout, "Latest checkpoint's REDO WAL file")).toMatch(/^[0-9A-F]{24}$/);
    expect(field(r.stdout, 'Bytes per WAL segment')).toBe('16777216');
    expect(field(r.stdout, 'Data page checksum version')).toBe('1');
  });

  it('reads a stopped instance on a segment host through ssh', async () => {
    const dir = await dirOf(3);
    const running = await c.run(`ssh sdw1 pg_controldata -D ${dir}`);
    const quoted = await c.run(`ssh sdw1 "pg_controldata -D ${dir}"`);
    expect(field(quoted.stdout, 'Database system identifier')).toBe(
      field(running.stdout, 'Database system identifier'),
    );
    expect(field(running.stdout, 'Database cluster state')).toBe('in production');
    await c.faults.crash(3);
    const crashed = await c.run(`ssh sdw1 pg_controldata --pgdata=${dir}`);
    expect(crashed.exitCode).toBe(0);
    // A crash leaves the control file as it was: recovery will be needed.
    expect(field(crashed.stdout, 'Database cluster state')).toBe('in production');
    expect(field(crashed.stdout, 'Database system identifier')).toBe(
      field(running.stdout, 'Database system identifier'),
    );
  });

  it('refuses as pg_controldata does', async () => {
    expect(await c.run('pg_controldata')).toMatchObject({
      exitCode: 1,
      stderr:
        'pg_controldata: error: no data directory specified\nTry "pg_controldata --help" for more information.\n',
    });
    // The segment's directory is on sdw1, not on the coordinator's host.
    const elsewhere = await c.run(`pg_controldata -D ${await dirOf(2)}`);
    expect(elsewhere.exitCode).toBe(1);
    expect(elsewhere.stderr).toMatch(
      /could not open file ".*\/global\/pg_control" for reading: No such file or directory/,
    );
    expect((await c.run('ssh nohost pg_controldata -D /x')).exitCode).toBe(255);
    expect((await c.run('ssh sdw1 top')).exitCode).toBe(127);
    expect((await c.run('pg_controldata -x')).exitCode).toBe(1);
  });
});
