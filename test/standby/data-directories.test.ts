/**
 * Data directories outlive their instances until someone removes them, as on real hosts: the old
 * coordinator's after gpactivatestandby stays on its host, gpinitstandby will not initialize over
 * it, and `ssh HOST mv|rm -rf` clears the way (Greenplum's documented repair). gpinitstandby -r
 * removes the standby's own. And the utilities ask before they act unless -a is given: a "no"
 * changes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../../src/engine/index.ts';
import { synced, waitFor } from '../support/wait.ts';
import { STANDBY_OPTS, standbyStreaming } from '../support/standby.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const OPTS = STANDBY_OPTS;
const DIR = '/data/coordinator/gpseg-1';
/** Where Greenplum's guide moves it aside to. */
const BACKUP = '/data/coordinator/backup_gpseg-1';

async function coordinatorRows(c: Cluster): Promise<unknown[][]> {
  return (
    await c.query(
      'select dbid, role, status, hostname, datadir from gp_segment_configuration where content = -1 order by dbid',
    )
  ).rows;
}

describe('data directories on the hosts', () => {
  it('the old coordinator leaves its directory on cdw: gpinitstandby refuses it until it is moved away', async () => {
    const c = (cluster = await createCluster(OPTS));
    await c.faults.crash(1);
    expect((await c.run(`gpactivatestandby -a -d ${DIR}`)).exitCode).toBe(0);
    const refused = await c.run('gpinitstandby -a -s cdw');
    expect(refused.exitCode).toBe(2);
    expect(refused.stdout).toContain('Data directory already exists on host cdw');
    expect(refused.stdout).toContain(`ssh cdw mv ${DIR} ${BACKUP}`);
    expect(await coordinatorRows(c)).toEqual([[10, 'p', 'u', 'scdw', DIR]]);
    // The public API shows it (the lab's topology and its Recommended panel read it).
    const coordinatorDirs = async () =>
      (await c.dataDirectories())
        .filter((d) => d.datadir.startsWith('/data/coordinator/'))
        .sort((a, b) => a.dbid - b.dbid);
    expect(await coordinatorDirs()).toEqual([
      { dbid: 1, hostname: 'cdw', datadir: DIR, retired: true },
      { dbid: 10, hostname: 'scdw', datadir: DIR, retired: false },
    ]);
    expect(
      (await c.dataDirectories())
        .filter((d) => !d.retired)
        .map((d) => d.dbid)
        .sort((a, b) => a - b),
    ).toEqual(
      ((await c.query('select dbid from gp_segment_configuration order by dbid')).rows as number[][]).map(
        ([d]) => d,
      ),
    );
    // Its control file is there, on the timeline it was left on; the new coordinator's is newer.
    const old = await c.run(`ssh cdw pg_controldata -D ${DIR}`);
    expect(old.exitCode, old.stderr).toBe(0);
    expect(old.stdout).toMatch(/Latest checkpoint's TimeLineID:\s+1\n/);
    expect((await c.run(`pg_controldata -D ${DIR}`)).stdout).toMatch(/Latest checkpoint's TimeLineID:\s+2\n/);

    // What the hosts hold is checked before anything moves.
    const busy = await c.run(`ssh scdw rm -rf ${DIR}`);
    expect(busy.exitCode).toBe(1);
    expect(busy.stderr).toContain('the data directory of dbid 10');
    expect((await c.run(`ssh cdw mv ${DIR}`)).stderr).toContain('missing destination file operand');
    expect((await c.run(`ssh cdw mv /data/nothing/here ${BACKUP}`)).exitCode).toBe(1);
    expect((await c.run(`ssh cdw rm -r /data/nothing/here`)).exitCode).toBe(1);
    expect((await c.run(`ssh cdw rm -rf /data/nothing/here`)).exitCode).toBe(0);
    expect((await c.run(`ssh cdw rm ${DIR}`)).stderr).toContain('Is a directory');
    // Options it would not carry out are refused, not ignored.
    const ask = await c.run(`ssh cdw rm -ri ${DIR}`);
    expect(ask.exitCode).toBe(1);
    expect(ask.stderr).toContain("invalid option '-ri'");
    expect((await c.run(`ssh cdw mv -n ${DIR} ${BACKUP}`)).stderr).toContain("invalid option '-n'");
    expect((await c.run(`ssh cdw pg_controldata -D ${DIR}`)).exitCode).toBe(0);

    const ls = async (line: string) => {
      const r = await c.run(line);
      return `${r.exitCode}: ${r.stdout}${r.stderr}`;
    };
    expect(await ls('ssh cdw ls /data/coordinator')).toBe('0: gpseg-1\n');
    expect((await c.run(`ssh cdw mv ${DIR} ${BACKUP}`)).exitCode).toBe(0);
    expect((await coordinatorDirs()).map((d) => d.datadir)).toEqual([BACKUP, DIR]);
    // ls shows the move, on cdw; scdw holds the coordinator's own directory.
    expect(await ls('ssh cdw ls /data/coordinator/')).toBe('0: backup_gpseg-1\n');
    // Paths are resolved as the kernel does, and a directory above data directories is one too.
    expect(await ls('ssh cdw ls /data//coordinator/./')).toBe('0: backup_gpseg-1\n');
    expect(await ls('ssh cdw ls /')).toBe('0: data\n');
    expect(await ls(`ssh cdw ls ${BACKUP}/base`)).toMatch(/^2: ls: cannot open directory/);
    expect(await ls(`ssh cdw mv ${BACKUP} /data/coordinator/`)).toMatch(
      /^1: mv: cannot move .* to a subdirectory of itself/,
    );
    expect(await ls(`ssh cdw mv ${BACKUP} /data/nowhere/b`)).toMatch(/^1: mv: .*No such file or directory/);
    expect(await ls('ssh cdw rm -rf //')).toMatch(/^1: rm: it is dangerous to operate recursively on '\/'/);
    expect(await ls('ssh scdw rm -rf /data')).toMatch(
      /^1: rm: cannot remove '\/data\/coordinator\/gpseg-1': .*dbid 10/,
    );

    expect(await ls('ssh scdw ls -1 /data/coordinator')).toBe('0: gpseg-1\n');
    expect(await ls('ssh cdw ls /data')).toBe('0: coordinator\n');
    expect(await ls('ssh cdw ls /data/coordinator /data/nothing')).toBe(
      "2: /data/coordinator:\nbackup_gpseg-1\nls: cannot access '/data/nothing': No such file or directory\n",
    );
    // A data directory's files are its instance's: refused, saying what reads them; options it
    // would not honour are refused too.
    expect(await ls(`ssh cdw ls ${BACKUP}`)).toMatch(/^2: ls: cannot open directory .*pg_controldata -D/);
    expect(await ls('ssh cdw ls -l /data')).toMatch(/^2: ls: invalid option '-l'/);
    // The utilities run on scdw now: a bare ls there (or on the lab's own shell) lists their files.
    c.files.set('hosts', 'sdw1\n');
    expect(await ls('ls')).toBe('0: hosts\n');
    expect(await ls('ssh scdw ls')).toBe('0: hosts\n');
    expect(await ls('ssh cdw ls')).toBe('0: ');
    expect(await ls('ls hosts /data/coordinator')).toBe('0: hosts\n\n/data/coordinator:\ngpseg-1\n');
    const init = await c.run('gpinitstandby -a -s cdw');
    expect(init.exitCode, init.stdout).toBe(0);
    await standbyStreaming(c);
    expect(await coordinatorRows(c)).toEqual([
      [10, 'p', 'u', 'scdw', DIR],
      [11, 'm', 'u', 'cdw', DIR],
    ]);
    // The moved files are still there, beside the new standby's, until removed.
    const back = await c.run(`ssh cdw mv ${BACKUP} ${DIR}`);
    expect(back.exitCode).toBe(1);
    expect(back.stderr).toContain(
      `cannot move '${BACKUP}' into '${DIR}': it is the data directory of dbid 11`,
    );
    expect((await c.run(`ssh cdw rm -rf ${BACKUP}`)).exitCode).toBe(0);
    expect((await coordinatorDirs()).map((d) => d.dbid)).toEqual([10, 11]);
    expect((await c.run(`ssh cdw mv ${BACKUP} /data/x`)).stderr).toContain('No such file or directory');
  });

  it('gpinitstandby -r removes the standby and its directory: a new standby can go there again', async () => {
    const c = (cluster = await createCluster(OPTS));
    const removed = await c.run('gpinitstandby -a -r');
    expect(removed.exitCode, removed.stdout).toBe(0);
    expect(removed.stdout).toContain('Removing data directory on standby coordinator...');
    expect(await coordinatorRows(c)).toEqual([[1, 'p', 'u', 'cdw', DIR]]);
    // The machine is still there; the directory is not.
    expect((await c.run(`ssh scdw pg_controldata -D ${DIR}`)).stderr).toContain('No such file or directory');
    expect((await c.run(`ssh scdw rm -rf ${DIR}`)).exitCode).toBe(0);
    const again = await c.run('gpinitstandby -a -s scdw');
    expect(again.exitCode, again.stdout).toBe(0);
    await standbyStreaming(c);
  });
});

describe('the utilities ask before they act', () => {
  it('a "no" piped in changes nothing, and exits as Greenplum does', async () => {
    const c = (cluster = await createCluster(OPTS));
    await c.query('create table t (a int) distributed by (a)');
    await c.query('insert into t select generate_series(1, 50)');
    await synced(c);

    const keep = await c.run("printf 'n\\n' | gpinitstandby -r");
    expect(keep.exitCode).toBe(2);
    expect(keep.stdout).toContain(
      'Do you want to continue with deleting the standby coordinator? Yy|Nn (default=N):\n> n',
    );
    expect(keep.stdout).toContain('[ERROR]:-Error removing standby coordinator: User canceled');
    expect((await coordinatorRows(c)).length).toBe(2);

    const stay = await c.run("printf 'no\\n' | gpstop");
    expect(stay.exitCode).toBe(4);
    expect(stay.stdout).toContain('Continue with Greenplum instance shutdown Yy|Nn (default=N):\n> no');
    expect(stay.stdout).toContain('[INFO]:-User abort requested, Exiting...');
    expect((await c.query('select count(*) from t')).rows).toEqual([[50]]);

    await c.faults.crash(6);
    const down = 'select status from gp_segment_configuration where dbid = 6';
    await waitFor(async () => {
      await c.query('select gp_request_fts_probe_scan()');
      return (await c.query(down)).rows[0]![0] === 'd';
    });
    // An answer that is neither yes nor no is asked again, as raw_input loops.
    const no = await c.run("printf 'maybe\\nN\\n' | gprecoverseg");
    expect(no.exitCode).toBe(4);
    expect(no.stdout).toContain("Invalid input: 'maybe'");
    expect(no.stdout).toContain('Recovery 1 of 1');
    expect((await c.query(down)).rows).toEqual([['d']]);
    // Input that ends before the answer: Python's EOFError, nothing done.
    const eof = await c.run("printf '' | gprecoverseg");
    expect(eof.exitCode).toBe(2);
    expect(eof.stdout).toContain("(Reason='EOF when reading a line')");
    expect((await c.query(down)).rows).toEqual([['d']]);

    // Without -a and nothing piped, the lab answers as a person going on would, and shows it.
    const yes = await c.run('gprecoverseg');
    expect(yes.exitCode, yes.stdout).toBe(0);
    expect(yes.stdout).toContain('Continue with segment recovery procedure Yy|Nn (default=N):\n> y');
    await waitFor(async () => (await c.query(down)).rows[0]![0] === 'u');
  });
});
