import { describe, expect, it } from 'vitest';
import { utilities } from '../../src/ui/controls/utility-buttons.ts';
import type { SegmentRow } from '../../src/ui/state/types.ts';
import type { DataDirectory } from '../../src/workers/index.ts';

const row = (dbid: number, content: number, role: string, hostname: string, datadir: string): SegmentRow => ({
  dbid,
  content,
  role,
  preferredRole: role,
  mode: 'n',
  status: 'u',
  port: content === -1 ? 5432 : 6000,
  hostname,
  address: hostname,
  datadir,
});
const primary = row(2, 0, 'p', 'sdw1', '/data/primary/gpseg0');
const standbyCommands = (config: SegmentRow[], directories: DataDirectory[] = []) =>
  utilities(config, directories)
    .map((u) => u.cmd)
    .filter((c) => /^(gp(activate|init)standby|ssh \S+ mv)/.test(c));

// The standby's buttons follow the catalog: a fixed `gpinitstandby -s scdw` was still offered
// once the standby on scdw had become the coordinator, and failed (exit 2) when pressed.
describe('the standby utility buttons', () => {
  it('activate the standby there is, from its own data directory', () => {
    const config = [
      row(1, -1, 'p', 'cdw', '/data/coordinator/gpseg-1'),
      row(10, -1, 'm', 'scdw', '/data/standby/gpseg-1'),
      primary,
    ];
    expect(standbyCommands(config)).toEqual(['gpactivatestandby -d /data/standby/gpseg-1']);
  });

  it('add a standby on the coordinator host not in use once it was activated', () => {
    const config = [row(10, -1, 'p', 'scdw', '/data/coordinator/gpseg-1'), primary];
    expect(standbyCommands(config)).toEqual(['gpinitstandby -s cdw']);
  });

  it("first move aside the old coordinator's directory that gpinitstandby would refuse", () => {
    const config = [row(10, -1, 'p', 'scdw', '/data/coordinator/gpseg-1'), primary];
    const old: DataDirectory = {
      dbid: 1,
      hostname: 'cdw',
      datadir: '/data/coordinator/gpseg-1',
      retired: true,
    };
    expect(standbyCommands(config, [old])).toEqual([
      'ssh cdw mv /data/coordinator/gpseg-1 /data/coordinator/backup_gpseg-1',
      'gpinitstandby -s cdw',
    ]);
    // With a standby, there is nothing to add: the old directory is not in the way of anything.
    const withStandby = [...config, row(11, -1, 'm', 'cdw', '/data/standby/gpseg-1')];
    expect(standbyCommands(withStandby, [old])).toEqual(['gpactivatestandby -d /data/standby/gpseg-1']);
  });

  it('add one on scdw when the coordinator on cdw has none', () => {
    expect(standbyCommands([row(1, -1, 'p', 'cdw', '/data/coordinator/gpseg-1'), primary])).toEqual([
      'gpinitstandby -s scdw',
    ]);
  });

  it('offer neither before the catalog is read', () => {
    expect(standbyCommands([])).toEqual([]);
    expect(utilities([]).map((u) => u.cmd)).toContain('gpstate');
  });

  it('offer gpaddmirrors to a cluster without mirrors, and only to one', () => {
    const coordinator = row(1, -1, 'p', 'cdw', '/data/coordinator/gpseg-1');
    const cmds = (config: SegmentRow[]) => utilities(config).map((u) => u.cmd);
    expect(cmds([coordinator, primary])).toContain('gpaddmirrors -a');
    expect(cmds([coordinator, primary, row(6, 0, 'm', 'sdw2', '/data/mirror/gpseg0')])).not.toContain(
      'gpaddmirrors -a',
    );
  });
});
