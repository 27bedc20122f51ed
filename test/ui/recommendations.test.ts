/** The Recommended panel's advice for states a table of rows and process states describes. */
import { describe, expect, it } from 'vitest';
import { recommend } from '../../src/ui/recommend/recommendations.ts';
import type { ClusterStore } from '../../src/ui/state/cluster-store.ts';
import type { ProcState, SegmentRow } from '../../src/ui/state/types.ts';
import type { DataDirectory } from '../../src/workers/index.ts';

/** `dbid content role host` rows of a 2 x 2 group-mirrored cluster, all up and in sync. */
const ROWS: SegmentRow[] = [
  [1, -1, 'p', 'cdw'],
  [2, 0, 'p', 'sdw1'],
  [3, 1, 'p', 'sdw1'],
  [4, 0, 'm', 'sdw2'],
  [5, 1, 'm', 'sdw2'],
].map(([dbid, content, role, hostname]) => ({
  dbid: dbid as number,
  content: content as number,
  role: role as string,
  preferredRole: role as string,
  mode: (content as number) < 0 ? 'n' : 's',
  status: 'u',
  port: 6000 + (dbid as number),
  hostname: hostname as string,
  address: hostname as string,
  datadir: `/data/d${dbid}`,
}));

/** The standby coordinator, dbid 10 on scdw. */
const STANDBY: SegmentRow = {
  ...ROWS[0]!,
  dbid: 10,
  role: 'm',
  preferredRole: 'm',
  hostname: 'scdw',
  address: 'scdw',
};

function storeWith(
  proc: Record<number, ProcState>,
  config: SegmentRow[] = ROWS,
  directories: DataDirectory[] = [],
): ClusterStore {
  return {
    state: 'ready',
    config,
    directories,
    proc: new Map(Object.entries(proc).map(([d, s]) => [Number(d), s])),
    catalogError: '',
    history: [],
    actions: [],
    recovery: new Map(),
    holds: new Map(),
    syncWaits: new Map(),
    nextProbeInMs: () => undefined,
  } as unknown as ClusterStore;
}

describe('recommend', () => {
  it('commits waiting on a running mirror that does not answer: FTS marks it down only after the walsender gives up', () => {
    const s = Object.assign(storeWith({ 1: 'up', 2: 'up', 3: 'up', 4: 'up', 5: 'up' }), {
      syncWaits: new Map([[0, { dbid: 2, count: 3, since: 0 }]]),
      nextProbeInMs: () => 700,
    }) as unknown as ClusterStore;
    const rec = recommend(s).find((r) => r.id === 'syncrep-wait-0')!;
    expect(rec.title).toBe('3 commits on content 0 wait for the mirror');
    expect(rec.detail).toMatch(
      /given up by the primary's walsender after wal_sender_timeout; the FTS probe after that marks it down/,
    );
    expect(rec.detail).not.toMatch(/next probe is due in about 0\.7 s and marks it down/);
  });

  it('a gpexpand under way: redistribute while tables wait, clean up once complete (not "No action needed")', () => {
    const up = { 1: 'up', 2: 'up', 3: 'up', 4: 'up', 5: 'up' } as const;

    const withExpansion = (state: string, statuses: string[]) =>
      Object.assign(storeWith({ ...up, 10: 'up' }, [...ROWS, STANDBY]), {
        expansion: {
          state,
          tables: statuses.map((status, i) => ({ name: `public.t${i}`, status, bytes: 8192, segments: 2 })),
        },
      }) as unknown as ClusterStore;
    const setup = recommend(withExpansion('SETUP DONE', ['NOT STARTED', 'NOT STARTED']));
    expect(setup.map((r) => r.id)).toEqual(['gpexpand-redistribute']);
    expect(setup[0]!.detail).toMatch(/2 table\(s\) still wait/);
    expect(setup[0]!.action).toMatchObject({ kind: 'utility', command: 'gpexpand' });
    expect(
      recommend(withExpansion('EXPANSION STOPPED', ['COMPLETED', 'NOT STARTED'])).map((r) => r.id),
    ).toEqual(['gpexpand-redistribute']);
    expect(recommend(withExpansion('EXPANSION COMPLETE', ['COMPLETED'])).map((r) => r.id)).toEqual([
      'gpexpand-clean',
    ]);
  });

  it('gpstart -m after gpstop: leave maintenance mode, not four double faults', () => {
    const recs = recommend(storeWith({ 1: 'up', 2: 'stopped', 3: 'stopped', 4: 'stopped', 5: 'stopped' }));
    expect(recs.map((r) => r.id)).toEqual(['leave-maintenance']);
    expect(recs[0]!.action).toMatchObject({ kind: 'utility', command: 'gpstop -a -m' });
  });

  it('both instances of a content crashed: a double fault', () => {
    const recs = recommend(storeWith({ 1: 'up', 2: 'down', 4: 'down' }));
    expect(recs.map((r) => r.id)).toContain('double-fault-0');
    expect(recs.map((r) => r.id)).not.toContain('leave-maintenance');
  });

  // After gpactivatestandby the old coordinator's directory stays on cdw, where gpinitstandby -s
  // cdw would put the standby: offering that command (exit 2) said one thing and did another.
  it('a coordinator without a standby: move the old directory aside first, then add one', () => {
    const coordinator = {
      ...ROWS[0]!,
      dbid: 6,
      hostname: 'scdw',
      address: 'scdw',
      datadir: '/data/coordinator/gpseg-1',
    };
    const config = [coordinator, ...ROWS.slice(1)];
    const up = { 2: 'up', 3: 'up', 4: 'up', 5: 'up', 6: 'up' } as const;
    const old: DataDirectory = {
      dbid: 1,
      hostname: 'cdw',
      datadir: '/data/coordinator/gpseg-1',
      retired: true,
    };
    const blocked = recommend(storeWith(up, config, [old]));
    expect(blocked.map((r) => r.id)).toEqual(['move-old-datadir']);
    expect(blocked[0]!.action).toMatchObject({
      kind: 'utility',
      command: 'ssh cdw mv /data/coordinator/gpseg-1 /data/coordinator/backup_gpseg-1',
    });
    // A directory moved there before keeps its name: the next one goes elsewhere.
    const moved: DataDirectory = {
      dbid: 7,
      hostname: 'cdw',
      datadir: '/data/coordinator/backup_gpseg-1',
      retired: true,
    };
    expect(recommend(storeWith(up, config, [old, moved]))[0]!.action).toMatchObject({
      command: 'ssh cdw mv /data/coordinator/gpseg-1 /data/coordinator/backup_gpseg-1_2',
    });
    // Moved aside (or at another path, or on another host): add the standby.
    for (const dirs of [
      [{ ...old, datadir: '/data/coordinator/backup_gpseg-1' }],
      [{ ...old, hostname: 'sdw1' }],
      [],
    ]) {
      const recs = recommend(storeWith(up, config, dirs));
      expect(recs.map((r) => r.id)).toEqual(['add-standby']);
      expect(recs[0]!.action).toMatchObject({ command: 'gpinitstandby -s cdw' });
    }
  });

  // A mirrorless cluster said "No action needed" without naming the utility that protects it.
  it('a healthy cluster without mirrors: add them with gpaddmirrors', () => {
    const mirrorless = [...ROWS.filter((r) => r.role === 'p'), STANDBY];
    const recs = recommend(storeWith({ 1: 'up', 2: 'up', 3: 'up', 10: 'up' }, mirrorless));
    expect(recs.map((r) => r.id)).toEqual(['add-mirrors']);
    expect(recs[0]!.action).toMatchObject({ kind: 'utility', command: 'gpaddmirrors -a' });
    const mirrored = [...ROWS, STANDBY];
    expect(
      recommend(storeWith({ 1: 'up', 2: 'up', 3: 'up', 4: 'up', 5: 'up', 10: 'up' }, mirrored)).map(
        (r) => r.id,
      ),
    ).toEqual(['healthy']);
  });
});
