import { describe, expect, it } from 'vitest';
import { SqlError } from '../../../src/engine/errors.ts';
import { Settings, SETTING_DEFS, parseBool, speedPresets } from '../../../src/engine/server/settings.ts';
import { formatG, rint } from '../../../src/engine/server/settings-units.ts';

function err(f: () => unknown): { code: string; message: string; detail?: string; hint?: string } {
  try {
    f();
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    const out: { code: string; message: string; detail?: string; hint?: string } = {
      code: e.code,
      message: e.message,
    };
    if (e.detail !== undefined) out.detail = e.detail;
    if (e.hint !== undefined) out.hint = e.hint;
    return out;
  }
  throw new Error('expected a SqlError');
}

describe('defaults and SHOW formats', () => {
  const s = new Settings();

  it('shows the FTS defaults of Greenplum 7 with their units', () => {
    expect(s.show('gp_fts_probe_interval')).toBe('1min');
    expect(s.show('gp_fts_probe_timeout')).toBe('20s');
    expect(s.show('gp_fts_probe_retries')).toBe('5');
    expect(s.show('gp_fts_mark_mirror_down_grace_period')).toBe('30s');
    expect(s.show('gp_fts_replication_attempt_count')).toBe('10');
    expect(s.show('gp_log_fts')).toBe('terse');
    expect(s.show('gp_segment_connect_timeout')).toBe('3min');
    expect(s.show('gp_gang_creation_retry_count')).toBe('5');
    expect(s.show('gp_gang_creation_retry_timer')).toBe('2s');
    expect(s.show('repl_catchup_within_range')).toBe('1');
    expect(s.show('max_slot_wal_keep_size')).toBe('-1');
  });

  it('shows other settings as Postgres formats them', () => {
    expect(s.show('shared_buffers')).toBe('32MB');
    expect(s.show('checkpoint_timeout')).toBe('5min');
    expect(s.show('max_wal_size')).toBe('256MB');
    expect(s.show('wal_keep_size')).toBe('0');
    expect(s.show('statement_timeout')).toBe('0');
    expect(s.show('DateStyle')).toBe('ISO, MDY');
    expect(s.show('datestyle')).toBe('ISO, MDY');
    expect(s.show('TimeZone')).toBe('UTC');
    expect(s.show('search_path')).toBe('"$user", public');
    expect(s.show('synchronous_standby_names')).toBe('');
    expect(s.show('synchronous_commit')).toBe('on');
    expect(s.show('optimizer')).toBe('off');
    expect(s.show('gp_enable_global_deadlock_detector')).toBe('off');
    expect(s.show('default_table_access_method')).toBe('heap');
    expect(s.show('gp_default_storage_options')).toBe('blocksize=32768,compresstype=none,checksum=true');
    expect(s.show('server_version')).toBe('12.12');
    expect(s.show('server_version_num')).toBe('120012');
    expect(s.show('gp_role')).toBe('dispatch');
    expect(s.show('gp_session_role')).toBe('dispatch');
    expect(s.show('gp_contentid')).toBe('-1');
    expect(s.show('checkpoint_completion_target')).toBe('0.5');
  });

  it('get() returns base units: ms for times, bytes for sizes, pages for 8kB', () => {
    expect(s.get<number>('gp_fts_probe_interval')).toBe(60_000);
    expect(s.get<number>('checkpoint_timeout')).toBe(300_000);
    expect(s.get<number>('gp_gang_creation_retry_timer')).toBe(2000);
    expect(s.get<number>('shared_buffers')).toBe(4096);
    expect(s.get<number>('max_wal_size')).toBe(256 * 1024 * 1024);
    expect(s.get<number>('max_slot_wal_keep_size')).toBe(-1);
    expect(s.get<boolean>('optimizer')).toBe(false);
    expect(s.getRaw('gp_fts_probe_interval')).toBe(60);
  });

  it('SHOW ALL: sorted case-insensitively, without GUC_NO_SHOW_ALL parameters', () => {
    const rows = s.showAll();
    const names = rows.map((r) => r.name);
    expect(names).toEqual([...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
    expect(names).not.toContain('gp_log_fts');
    expect(names).not.toContain('gp_gang_creation_retry_count');
    expect(rows.find((r) => r.name === 'DateStyle')).toEqual({
      name: 'DateStyle',
      setting: 'ISO, MDY',
      description: 'Sets the display format for date and time values.',
    });
    expect(names.indexOf('DateStyle')).toBeGreaterThan(names.indexOf('client_min_messages'));
  });

  it('every definition has a description, a category, and a default in its range', () => {
    for (const def of SETTING_DEFS) {
      expect(def.description, def.name).not.toBe('');
      expect(def.category, def.name).not.toBe('');
      if (typeof def.default === 'number' && def.min !== undefined && def.max !== undefined) {
        expect(def.default, def.name).toBeGreaterThanOrEqual(def.min);
        expect(def.default, def.name).toBeLessThanOrEqual(def.max);
      }
    }
  });
});

describe('SET: units and parsing', () => {
  it('reads values with units, rounding as Postgres does', () => {
    const s = new Settings();
    const cases: [string, string][] = [
      ['30s', '30s'],
      ['5min', '5min'],
      ['1000', '1s'],
      ['1500ms', '1500ms'],
      ['1.5', '2ms'],
      ['2.5', '2ms'],
      ['0.5', '0'],
      ['1.5 min', '90s'],
      [' 30 s ', '30s'],
      ['1h', '1h'],
      ['1 d', '1d'],
      ['1000us', '1ms'],
      ['0x10', '16ms'],
      ['010', '8ms'],
      ['1e3', '1s'],
      ['61000', '61s'],
    ];
    for (const [input, shown] of cases) {
      s.set('statement_timeout', input);
      expect(s.show('statement_timeout'), input).toBe(shown);
    }
    s.set('statement_timeout', 1500);
    expect(s.get<number>('statement_timeout')).toBe(1500);
  });

  it('reads sizes in kB, MB, GB and 8kB pages', () => {
    const s = new Settings({
      config: { shared_buffers: '64MB', max_wal_size: '1GB', wal_keep_size: '1536MB' },
    });
    expect(s.show('shared_buffers')).toBe('64MB');
    expect(s.getRaw('shared_buffers')).toBe(8192);
    expect(s.show('max_wal_size')).toBe('1GB');
    expect(s.show('wal_keep_size')).toBe('1536MB');
    expect(new Settings({ config: { shared_buffers: 1000 } }).show('shared_buffers')).toBe('8000kB');
    expect(new Settings({ config: { shared_buffers: '1.5GB' } }).show('shared_buffers')).toBe('1536MB');
  });

  it('reads booleans and enums like Postgres', () => {
    expect(['t', 'tr', 'yes', 'y', 'on', 'ON', '1'].map(parseBool)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['f', 'no', 'of', 'off', '0'].map(parseBool)).toEqual([false, false, false, false, false]);
    expect(['o', 'maybe', '2', ''].map(parseBool)).toEqual([undefined, undefined, undefined, undefined]);
    const s = new Settings();
    s.set('synchronous_commit', 'yes');
    expect(s.show('synchronous_commit')).toBe('on');
    s.set('synchronous_commit', 'REMOTE_APPLY');
    expect(s.show('synchronous_commit')).toBe('remote_apply');
    s.set('client_min_messages', 'debug');
    expect(s.show('client_min_messages')).toBe('debug2');
  });
});

describe('SET: errors (SQLSTATE and message)', () => {
  const s = new Settings();

  it('unknown parameters', () => {
    expect(err(() => s.set('foo', 1))).toEqual({
      code: '42704',
      message: 'unrecognized configuration parameter "foo"',
    });
    expect(err(() => s.show('foo'))).toEqual({
      code: '42704',
      message: 'unrecognized configuration parameter "foo"',
    });
    expect(err(() => s.show('myapp.mode')).code).toBe('42704');
    s.set('myapp.mode', 'fast');
    expect(s.show('myapp.mode')).toBe('fast');
  });

  it('bad values, with the hints Postgres gives', () => {
    expect(err(() => s.set('statement_timeout', 'abc'))).toEqual({
      code: '22023',
      message: 'invalid value for parameter "statement_timeout": "abc"',
    });
    expect(err(() => s.set('statement_timeout', '30S'))).toEqual({
      code: '22023',
      message: 'invalid value for parameter "statement_timeout": "30S"',
      hint: 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".',
    });
    expect(err(() => s.set('statement_timeout', '2147483648'))).toEqual({
      code: '22023',
      message: 'invalid value for parameter "statement_timeout": "2147483648"',
      hint: 'Value exceeds integer range.',
    });
    expect(err(() => s.set('extra_float_digits', ''))).toEqual({
      code: '22023',
      message: 'invalid value for parameter "extra_float_digits": ""',
    });
    expect(err(() => s.set('optimizer', 'maybe'))).toEqual({
      code: '22023',
      message: 'parameter "optimizer" requires a Boolean value',
    });
    expect(err(() => s.set('client_min_messages', 'bogus'))).toEqual({
      code: '22023',
      message: 'invalid value for parameter "client_min_messages": "bogus"',
      hint: 'Available values: debug5, debug4, debug3, debug2, debug1, log, notice, warning, error.',
    });
    expect(err(() => s.set('statement_timeout', ['1', '2']))).toEqual({
      code: '22023',
      message: 'SET statement_timeout takes only one argument',
    });
  });

  it('out-of-range values name the value in the parameter unit and the bare range', () => {
    expect(err(() => s.set('statement_timeout', -1))).toEqual({
      code: '22023',
      message: '-1 ms is outside the valid range for parameter "statement_timeout" (0 .. 2147483647)',
    });
    expect(err(() => s.set('extra_float_digits', 4))).toEqual({
      code: '22023',
      message: '4 is outside the valid range for parameter "extra_float_digits" (-15 .. 3)',
    });
    expect(err(() => s.set('gp_gang_creation_retry_timer', '50ms')).message).toBe(
      '50 ms is outside the valid range for parameter "gp_gang_creation_retry_timer" (100 .. 120000)',
    );
    // Ranges are checked wherever a value is read, e.g. in the instance configuration.
    expect(err(() => new Settings({ config: { gp_fts_probe_interval: 5 } }))).toEqual({
      code: '22023',
      message: '5 s is outside the valid range for parameter "gp_fts_probe_interval" (10 .. 3600)',
    });
    expect(err(() => new Settings({ config: { gp_fts_probe_interval: '5000ms' } })).message).toBe(
      '5 s is outside the valid range for parameter "gp_fts_probe_interval" (10 .. 3600)',
    );
    expect(err(() => new Settings({ config: { shared_buffers: 10 } })).message).toBe(
      '10 8kB is outside the valid range for parameter "shared_buffers" (16 .. 1073741823)',
    );
    expect(err(() => new Settings({ config: { checkpoint_completion_target: 2 } })).message).toBe(
      '2 is outside the valid range for parameter "checkpoint_completion_target" (0 .. 1)',
    );
  });

  it('parameters that SET cannot change, by context', () => {
    expect(err(() => s.set('shared_buffers', '16MB'))).toEqual({
      code: '55P02',
      message: 'parameter "shared_buffers" cannot be changed without restarting the server',
    });
    expect(err(() => s.set('server_version', '1'))).toEqual({
      code: '55P02',
      message: 'parameter "server_version" cannot be changed',
    });
    expect(err(() => s.set('gp_fts_probe_interval', '10s'))).toEqual({
      code: '55P02',
      message: 'parameter "gp_fts_probe_interval" cannot be changed now',
    });
    expect(err(() => s.set('gp_role', 'utility'))).toEqual({
      code: '55P02',
      message: 'parameter "gp_role" cannot be set after connection start',
    });
    expect(err(() => s.set('gp_session_role', 'utility')).message).toBe(
      'parameter "gp_session_role" cannot be set after connection start',
    );
    expect(err(() => s.reset('shared_buffers')).code).toBe('55P02');
    const user = new Settings({ superuser: false });
    expect(err(() => user.set('repl_catchup_within_range', 2))).toEqual({
      code: '42501',
      message: 'permission denied to set parameter "repl_catchup_within_range"',
    });
    expect(err(() => user.show('repl_catchup_within_range')).code).toBe('42501');
    expect(user.showAll().map((r) => r.name)).not.toContain('repl_catchup_within_range');
  });

  it('check hooks: ORCA, DateStyle, TimeZone, access methods, storage options', () => {
    const t = new Settings();
    expect(err(() => t.set('optimizer', 'on'))).toEqual({
      code: '22023',
      message: 'ORCA is not supported by this build',
    });
    t.set('DateStyle', 'german');
    expect(t.show('DateStyle')).toBe('German, DMY');
    t.set('DateStyle', 'sql, dmy');
    t.set('DateStyle', 'ymd');
    expect(t.show('DateStyle')).toBe('SQL, YMD');
    t.set('DateStyle', ['iso', 'mdy']);
    expect(t.show('DateStyle')).toBe('ISO, MDY');
    expect(err(() => t.set('DateStyle', 'iso, sql'))).toEqual({
      code: '22023',
      message: 'invalid value for parameter "DateStyle": "iso, sql"',
      detail: 'Conflicting "datestyle" specifications.',
    });
    expect(err(() => t.set('datestyle', 'foo')).detail).toBe('Unrecognized key word: "foo".');
    t.set('TimeZone', 'america/new_york');
    expect(t.show('timezone')).toBe('America/New_York');
    t.set('TimeZone', 'utc');
    expect(t.show('TimeZone')).toBe('UTC');
    expect(err(() => t.set('TimeZone', 'Nowhere/Bogus')).message).toBe(
      'invalid value for parameter "TimeZone": "Nowhere/Bogus"',
    );
    expect(err(() => t.set('default_table_access_method', 'foo'))).toEqual({
      code: '22023',
      message: 'invalid value for parameter "default_table_access_method": "foo"',
      detail: 'Table access method "foo" does not exist.',
    });
    t.set('gp_default_storage_options', 'compresstype=zlib');
    expect(t.show('gp_default_storage_options')).toBe(
      'blocksize=32768,compresstype=zlib,compresslevel=1,checksum=true',
    );
    t.set('search_path', ['a', 'B', 'c d', '$user']);
    expect(t.show('search_path')).toBe('a, "B", "c d", "$user"');
    t.set('application_name', 'héllo');
    expect(t.show('application_name')).toBe('h?llo');
  });
});

describe('SET LOCAL, RESET and transactions', () => {
  it('SET LOCAL lasts until the end of the transaction; SET survives commit', () => {
    const s = new Settings();
    s.beginTransaction();
    s.set('statement_timeout', '10s');
    s.set('statement_timeout', '20s', { local: true });
    expect(s.show('statement_timeout')).toBe('20s');
    s.commitTransaction();
    expect(s.show('statement_timeout')).toBe('10s');

    s.beginTransaction();
    s.set('statement_timeout', '20s', { local: true });
    s.set('statement_timeout', '30s');
    s.commitTransaction();
    expect(s.show('statement_timeout')).toBe('30s');

    s.beginTransaction();
    s.set('lock_timeout', '1s', { local: true });
    s.set('lock_timeout', '2s');
    s.set('lock_timeout', '3s', { local: true });
    expect(s.show('lock_timeout')).toBe('3s');
    s.commitTransaction();
    expect(s.show('lock_timeout')).toBe('2s');
  });

  it('rollback undoes SET and RESET ALL made inside the transaction', () => {
    const s = new Settings();
    s.set('statement_timeout', '30s');
    s.beginTransaction();
    s.set('statement_timeout', '40s');
    s.abortTransaction();
    expect(s.show('statement_timeout')).toBe('30s');

    s.set('application_name', 'abc');
    s.beginTransaction();
    s.resetAll();
    expect(s.show('application_name')).toBe('');
    expect(s.show('statement_timeout')).toBe('0');
    s.abortTransaction();
    expect(s.show('application_name')).toBe('abc');
    expect(s.show('statement_timeout')).toBe('30s');
  });

  it('savepoints: ROLLBACK TO undoes changes since the savepoint, RELEASE keeps them', () => {
    const s = new Settings();
    s.beginTransaction();
    s.set('statement_timeout', '40s');
    const sp = s.savepoint();
    s.set('statement_timeout', '50s');
    s.rollbackToSavepoint(sp);
    expect(s.show('statement_timeout')).toBe('40s');
    s.set('statement_timeout', '45s', { local: true });
    s.releaseSavepoint(sp);
    expect(s.show('statement_timeout')).toBe('45s');
    s.commitTransaction();
    expect(s.show('statement_timeout')).toBe('40s');

    s.beginTransaction();
    const sp2 = s.savepoint();
    s.set('statement_timeout', '70s');
    s.releaseSavepoint(sp2);
    s.abortTransaction();
    expect(s.show('statement_timeout')).toBe('40s');
  });

  it('SET LOCAL outside a transaction block only warns', () => {
    const s = new Settings();
    expect(s.set('statement_timeout', '1s', { local: true })).toEqual([
      { severity: 'WARNING', code: '25P01', message: 'SET LOCAL can only be used in transaction blocks' },
    ]);
    expect(s.show('statement_timeout')).toBe('0');
    expect(err(() => s.set('checkpoint_timeout', '10min', { local: true })).code).toBe('55P02');
  });

  it('RESET and SET TO DEFAULT go back to the instance configuration, not the built-in default', () => {
    const s = new Settings({ config: { statement_timeout: '1min' } });
    expect(s.show('statement_timeout')).toBe('1min');
    s.set('statement_timeout', '5s');
    s.reset('statement_timeout');
    expect(s.show('statement_timeout')).toBe('1min');
    s.set('statement_timeout', '5s');
    s.set('statement_timeout', null);
    expect(s.show('statement_timeout')).toBe('1min');
    expect(s.source('statement_timeout')).toBe('config');
  });
});

describe('instance configuration, startup options and reload', () => {
  it('layers defaults ← configuration ← startup options ← SET', () => {
    const s = new Settings({
      config: { gp_fts_probe_interval: '10s', gp_contentid: 2, gp_dbid: 4 },
      startup: { gp_role: 'utility' },
    });
    expect(s.show('gp_fts_probe_interval')).toBe('10s');
    expect(s.show('gp_role')).toBe('utility');
    expect(s.show('gp_contentid')).toBe('2');
    expect(err(() => new Settings({ config: { nope: 1 } })).message).toBe(
      'unrecognized configuration parameter "nope"',
    );
    expect(err(() => new Settings({ config: { server_version: '9' } })).code).toBe('55P02');
  });

  it('reload applies sighup settings, keeps session SETs and defers postmaster ones', () => {
    const s = new Settings();
    s.set('statement_timeout', '5s');
    const r = s.reload({ gp_fts_probe_interval: '2min', statement_timeout: '1min', shared_buffers: '64MB' });
    expect(r).toEqual({
      applied: ['gp_fts_probe_interval', 'statement_timeout'],
      pendingRestart: ['shared_buffers'],
    });
    expect(s.show('gp_fts_probe_interval')).toBe('2min');
    expect(s.show('statement_timeout')).toBe('5s');
    expect(s.show('shared_buffers')).toBe('32MB');
    expect(s.pendingRestart().get('shared_buffers')).toBe(8192);
    s.reset('statement_timeout');
    expect(s.show('statement_timeout')).toBe('1min');
  });

  it('a setting removed from the file returns to its default; startup options outrank the file', () => {
    const s = new Settings({
      config: { statement_mem: '200MB', gp_fts_probe_retries: 3, shared_buffers: '64MB' },
      startup: { statement_timeout: '7s' },
    });
    expect(s.configValues()).toEqual({
      statement_mem: 204800,
      gp_fts_probe_retries: 3,
      shared_buffers: 8192,
    });
    const r = s.reload({ statement_timeout: '1min' });
    expect(s.show('statement_mem')).toBe('125MB');
    expect(s.show('gp_fts_probe_retries')).toBe('5');
    // PGOPTIONS (-c statement_timeout=7s) outrank postgresql.conf, on reload too.
    expect(s.show('statement_timeout')).toBe('7s');
    // Removing a postmaster setting waits for a restart like changing it does.
    expect(r.pendingRestart).toEqual(['shared_buffers']);
    expect(s.show('shared_buffers')).toBe('64MB');
    // Back in the file as it runs: nothing is pending any more.
    s.reload({ shared_buffers: '64MB' });
    expect(s.pendingRestart().size).toBe(0);
  });
});

describe('speed presets and time scale', () => {
  it('keeps Greenplum values and compresses wall time by the scale', () => {
    const s = new Settings({ config: speedPresets.compressed.settings });
    expect(s.show('gp_fts_probe_interval')).toBe('1min');
    expect(s.getScaledMs('gp_fts_probe_interval', speedPresets.compressed.timeScale)).toBe(2000);
    expect(s.getScaledMs('gp_fts_mark_mirror_down_grace_period', speedPresets.compressed.timeScale)).toBe(
      1000,
    );
    expect(s.getScaledMs('gp_fts_probe_interval', speedPresets.realistic.timeScale)).toBe(60_000);
  });
});

describe('number helpers', () => {
  it('rint rounds half to even, formatG prints like %g', () => {
    expect([0.5, 1.5, 2.5, -1.5, 2.4].map(rint)).toEqual([0, 2, 2, -2, 2]);
    expect([0.9, 1e10, 1e-6, 1.79769e308, 123456, 1234567, 0.0001].map(formatG)).toEqual([
      '0.9',
      '1e+10',
      '1e-06',
      '1.79769e+308',
      '123456',
      '1.23457e+06',
      '0.0001',
    ]);
  });
});
