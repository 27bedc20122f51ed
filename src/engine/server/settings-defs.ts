/**
 * The configuration parameters (GUCs) the lab knows, with Greenplum 7's contexts, defaults,
 * ranges, units and descriptions (GA `src/backend/utils/misc/guc_gp.c` for the gp_* ones,
 * Postgres 12's guc.c for the rest; shared/greenplum-ha.md §2.4).
 *
 * Lab deviations, each marked where it is defined: `shared_buffers` and `max_wal_size` are sized
 * for a browser tab; `gp_contentid`/`gp_dbid` default to the coordinator's identity.
 */

import { ENGINE_VERSION } from '../version.ts';
import type { GucUnit } from './settings-units.ts';
import { INT_MAX } from './settings-units.ts';

export type GucValue = boolean | number | string;

/**
 * When a parameter may change (Postgres' GucContext): `internal` never; `postmaster` at server
 * start; `sighup` in the configuration file, on reload; `backend` at connection start;
 * `superuser` by SET as a superuser; `user` by SET by anyone.
 */
export type GucContext = 'internal' | 'postmaster' | 'sighup' | 'backend' | 'superuser' | 'user';

export type GucType = 'bool' | 'int' | 'real' | 'string' | 'enum';

/** The outcome of a check hook: the value to store, or why the value is refused. */
export type GucCheckResult =
  { ok: true; value: string } | { ok: false; message?: string; detail?: string; hint?: string };

export interface SettingDef {
  name: string;
  type: GucType;
  /** Boot value, in `unit` for numbers. */
  default: GucValue;
  min?: number;
  max?: number;
  unit?: GucUnit;
  /** Accepted and displayed enum values. */
  enumValues?: readonly string[];
  /** Accepted enum spellings that are not listed in the hint, and the value they mean. */
  enumAliases?: Readonly<Record<string, string>>;
  context: GucContext;
  description: string;
  category: string;
  /** GUC_NO_SHOW_ALL: SHOW ALL leaves it out (SHOW of the name still works). */
  noShowAll?: boolean;
  /** GUC_SUPERUSER_ONLY: only a superuser may see it. */
  superuserOnly?: boolean;
  /** GUC_NO_RESET_ALL: RESET ALL leaves it alone. */
  noResetAll?: boolean;
  /** GUC_LIST_INPUT: SET accepts several comma-separated values. */
  listInput?: boolean;
  /** GUC_LIST_QUOTE: list elements are identifiers, double-quoted where needed. */
  listQuote?: boolean;
  /** Another parameter this one is a second name for (GPDB 7's gp_session_role → gp_role). */
  aliasOf?: string;
  /** A check hook for strings: normalizes or refuses (Postgres' check_* functions). */
  check?: (value: string, current: string) => GucCheckResult;
  /** A check hook for booleans. */
  checkBool?: (value: boolean) => GucCheckResult;
}

/** check_datestyle: an output style and a field order, each kept from `current` if not given. */
function checkDateStyle(value: string, current: string): GucCheckResult {
  const [curStyle = 'ISO', curOrder = 'MDY'] = current.split(',').map((s) => s.trim());
  let style = curStyle;
  let order = curOrder;
  let haveStyle = false;
  let haveOrder = false;
  let ok = true;
  const setStyle = (s: string) => {
    if (haveStyle && style !== s) ok = false;
    style = s;
    haveStyle = true;
  };
  const setOrder = (o: string) => {
    if (haveOrder && order !== o) ok = false;
    order = o;
    haveOrder = true;
  };
  for (const raw of value.split(',')) {
    const tok = raw.trim().replace(/^"(.*)"$/, '$1');
    const t = tok.toUpperCase();
    if (t === 'ISO') setStyle('ISO');
    else if (t === 'SQL') setStyle('SQL');
    else if (t.startsWith('POSTGRES')) setStyle('Postgres');
    else if (t === 'GERMAN') {
      setStyle('German');
      if (!haveOrder) order = 'DMY';
    } else if (t === 'YMD') setOrder('YMD');
    else if (t === 'DMY' || t.startsWith('EURO')) setOrder('DMY');
    else if (t === 'MDY' || t === 'US' || t.startsWith('NONEURO')) setOrder('MDY');
    else if (t === 'DEFAULT') {
      if (!haveStyle) style = 'ISO';
      if (!haveOrder) order = 'MDY';
      haveStyle = haveOrder = true;
    } else return { ok: false, detail: `Unrecognized key word: "${tok}".` };
  }
  if (!ok) return { ok: false, detail: 'Conflicting "datestyle" specifications.' };
  return { ok: true, value: `${style}, ${order}` };
}

/** check_timezone, for zone names: the IANA database as the JavaScript runtime knows it. */
function checkTimeZone(value: string): GucCheckResult {
  const name = value.trim();
  if (/^(utc|gmt|z|zulu|etc\/utc|etc\/gmt|universal)$/i.test(name)) {
    return {
      ok: true,
      value: name.toUpperCase() === 'Z' || /^zulu$/i.test(name) ? 'UTC' : canonicalUtc(name),
    };
  }
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    return { ok: true, value: resolved };
  } catch {
    return { ok: false };
  }
}

function canonicalUtc(name: string): string {
  const lower = name.toLowerCase();
  if (lower === 'utc') return 'UTC';
  if (lower === 'gmt') return 'GMT';
  if (lower === 'etc/utc') return 'Etc/UTC';
  if (lower === 'etc/gmt') return 'Etc/GMT';
  return 'Universal';
}

/** check_gp_default_storage_options: rewritten in GPDB 7's canonical order. */
function checkStorageOptions(value: string): GucCheckResult {
  let blocksize = 32768;
  let compresstype = 'none';
  let compresslevel = 0;
  let checksum = true;
  let levelGiven = false;
  for (const raw of value.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const [key = '', val = ''] = part.split('=').map((s) => s.trim().toLowerCase());
    if (key === 'blocksize') {
      const n = Number(val);
      if (!Number.isInteger(n) || n < 8192 || n > 2097152 || n % 8192 !== 0) {
        return {
          ok: false,
          message: `block size must be between 8KB and 2MB and be an 8KB multiple, Got ${val}`,
        };
      }
      blocksize = n;
    } else if (key === 'compresstype') {
      if (!['none', 'zlib', 'zstd', 'rle_type'].includes(val)) {
        return { ok: false, message: `unknown compresstype "${val}"` };
      }
      compresstype = val;
    } else if (key === 'compresslevel') {
      const n = Number(val);
      if (!Number.isInteger(n) || n < 0 || n > 19) {
        return { ok: false, message: `compresslevel=${val} is out of range (should be between 0 and 19)` };
      }
      compresslevel = n;
      levelGiven = true;
    } else if (key === 'checksum') {
      if (!['true', 'false', 'on', 'off', '1', '0'].includes(val)) {
        return { ok: false, message: `invalid bool value "${val}" for storage option "checksum"` };
      }
      checksum = ['true', 'on', '1'].includes(val);
    } else {
      return { ok: false, message: `invalid storage option "${key}"` };
    }
  }
  if (compresstype !== 'none' && !levelGiven) compresslevel = 1;
  return {
    ok: true,
    value:
      `blocksize=${blocksize},compresstype=${compresstype},` +
      (compresslevel > 0 ? `compresslevel=${compresslevel},` : '') +
      `checksum=${checksum}`,
  };
}

function checkAccessMethod(value: string): GucCheckResult {
  if (['heap', 'ao_row', 'ao_column'].includes(value)) return { ok: true, value };
  return { ok: false, detail: `Table access method "${value}" does not exist.` };
}

function checkGpRole(value: string): GucCheckResult {
  const v = value.trim().toLowerCase();
  if (['dispatch', 'execute', 'utility'].includes(v)) return { ok: true, value: v };
  return { ok: false };
}

const FTS = 'Greenplum Array Configuration / Tuning';
const WAL_CHECKPOINTS = 'Write-Ahead Log / Checkpoints';
const STATEMENT = 'Client Connection Defaults / Statement Behavior';
const LOCALE = 'Client Connection Defaults / Locale and Formatting';
const PRESET = 'Preset Options';

/** Greenplum 7's version numbers, as `version()` shows them (src/engine/version.ts). */
export const GP_VERSION = `7.0.0 build mpp-ha-lab ${ENGINE_VERSION}`;
export const GP_VERSION_NUM = 70000;

export const SETTING_DEFS: readonly SettingDef[] = [
  // --- FTS and replication (§2.4) -------------------------------------------------------------
  {
    name: 'gp_fts_probe_interval',
    type: 'int',
    default: 60,
    min: 10,
    max: 3600,
    unit: 's',
    context: 'sighup',
    description: 'A complete probe of all segments starts each time a timer with this period expires.',
    category: FTS,
  },
  {
    name: 'gp_fts_probe_timeout',
    type: 'int',
    default: 20,
    min: 0,
    max: 3600,
    unit: 's',
    context: 'sighup',
    description: 'Maximum time (in seconds) allowed for FTS to complete probing a segment.',
    category: FTS,
  },
  {
    name: 'gp_fts_probe_retries',
    type: 'int',
    default: 5,
    min: 0,
    max: 100,
    context: 'sighup',
    description: 'Number of retries for FTS to complete probing a segment.',
    category: FTS,
  },
  {
    name: 'gp_fts_mark_mirror_down_grace_period',
    type: 'int',
    default: 30,
    min: 0,
    max: 3600,
    unit: 's',
    context: 'sighup',
    description:
      'Time (in seconds) allowed to mirror after disconnection, to reconnect before being marked as down in configuration by FTS.',
    category: FTS,
  },
  {
    name: 'gp_fts_replication_attempt_count',
    type: 'int',
    default: 10,
    min: 0,
    max: 100,
    context: 'sighup',
    description: 'Primary-mirror replication connection max continuously attempt count for FTS',
    category: FTS,
  },
  {
    name: 'gp_log_fts',
    type: 'enum',
    default: 'terse',
    enumValues: ['off', 'terse', 'verbose', 'debug'],
    context: 'sighup',
    description: 'Sets the verbosity of logged messages pertaining to fault probing.',
    category: 'Reporting and Logging / What to Log',
    noShowAll: true,
  },
  {
    name: 'gp_segment_connect_timeout',
    type: 'int',
    default: 180,
    min: 0,
    max: INT_MAX,
    unit: 's',
    context: 'user',
    description:
      'Maximum time (in seconds) allowed for a new worker process to start or a mirror to respond.',
    category: FTS,
  },
  {
    name: 'gp_dtx_recovery_interval',
    type: 'int',
    default: 60,
    min: 5,
    max: 3600,
    unit: 's',
    context: 'sighup',
    description:
      'A complete checking in dtx recovery process starts each time a timer with this period expires.',
    category: FTS,
  },
  {
    name: 'gp_dtx_recovery_prepared_period',
    type: 'int',
    default: 120,
    min: 0,
    max: 3600,
    unit: 's',
    context: 'sighup',
    description: 'Gather prepared transactions before the time (in seconds) to find potential orphaned ones.',
    category: FTS,
  },
  {
    name: 'dtx_phase2_retry_second',
    type: 'int',
    default: 60,
    min: 0,
    max: INT_MAX,
    unit: 's',
    context: 'superuser',
    description: 'Maximum time for which coordinator tries to finish a prepared transaction',
    category: FTS,
    superuserOnly: true,
    noShowAll: true,
  },
  {
    name: 'gp_gang_creation_retry_count',
    type: 'int',
    default: 5,
    min: 0,
    max: 128,
    context: 'user',
    description: 'After a gang-creation fails, retry the number of times if failure is retryable.',
    category: FTS,
    noShowAll: true,
  },
  {
    name: 'gp_gang_creation_retry_timer',
    type: 'int',
    default: 2000,
    min: 100,
    max: 120000,
    unit: 'ms',
    context: 'user',
    description: 'Wait this many milliseconds between gang-creation-retries.',
    category: FTS,
    noShowAll: true,
  },
  {
    // GA declares the maximum as INT_MAX / WalSegMaxSize; its effective bound is unverified.
    name: 'repl_catchup_within_range',
    type: 'int',
    default: 1,
    min: 0,
    max: INT_MAX,
    context: 'superuser',
    description:
      'Sets the maximum number of xlog segments allowed to lag when the backends can start blocking despite the WAL sender being in catchup phase.',
    category: 'Replication / Standby Servers',
    superuserOnly: true,
  },
  {
    name: 'max_slot_wal_keep_size',
    type: 'int',
    default: -1,
    min: -1,
    max: INT_MAX,
    unit: 'MB',
    context: 'sighup',
    description: 'Sets the maximum WAL size that can be reserved by replication slots.',
    category: 'Replication / Sending Servers',
  },
  {
    name: 'synchronous_standby_names',
    type: 'string',
    default: '',
    context: 'sighup',
    description: 'Number of synchronous standbys and list of names of potential synchronous ones.',
    category: 'Replication / Primary Server',
    listInput: true,
  },
  {
    name: 'synchronous_commit',
    type: 'enum',
    default: 'on',
    enumValues: ['local', 'remote_write', 'remote_apply', 'on', 'off'],
    enumAliases: { true: 'on', false: 'off', yes: 'on', no: 'off', '1': 'on', '0': 'off' },
    context: 'user',
    description: "Sets the current transaction's synchronization level.",
    category: 'Write-Ahead Log / Settings',
  },
  {
    // The primary's walsender (and the coordinator's) gives up on a mirror that has not
    // acknowledged within it; 0 waits for ever. Read on every send, so a reload takes effect.
    name: 'wal_sender_timeout',
    type: 'int',
    default: 60000,
    min: 0,
    max: INT_MAX,
    unit: 'ms',
    context: 'sighup',
    description: 'Sets the maximum time to wait for WAL replication.',
    category: 'Replication / Sending Servers',
  },
  {
    name: 'wal_keep_size',
    type: 'int',
    default: 0,
    min: 0,
    max: INT_MAX,
    unit: 'MB',
    context: 'sighup',
    description: 'Sets the size of WAL files held for standby servers.',
    category: 'Replication / Sending Servers',
  },
  // --- Storage ------------------------------------------------------------------------------
  {
    // Lab sizing: 4096 pages = 32MB per instance at most, allocated as used (Postgres' boot
    // value is 16384 = 128MB).
    name: 'shared_buffers',
    type: 'int',
    default: 4096,
    min: 16,
    max: 1073741823,
    unit: '8kB',
    context: 'postmaster',
    description: 'Sets the number of shared memory buffers used by the server.',
    category: 'Resource Usage / Memory',
  },
  {
    // Greenplum sizes each operator's share of it and spills past it to workfiles; the lab has
    // no workfiles, so a statement that would hold more on one instance fails (53200) instead.
    name: 'statement_mem',
    type: 'int',
    default: 128000,
    min: 1000,
    max: INT_MAX,
    unit: 'kB',
    context: 'user',
    description: 'Sets the memory to be reserved for a statement.',
    category: 'Resource Usage / Memory',
  },
  {
    name: 'checkpoint_timeout',
    type: 'int',
    default: 300,
    min: 30,
    max: 86400,
    unit: 's',
    context: 'sighup',
    description: 'Sets the maximum time between automatic WAL checkpoints.',
    category: WAL_CHECKPOINTS,
  },
  {
    name: 'checkpoint_completion_target',
    type: 'real',
    default: 0.5,
    min: 0,
    max: 1,
    context: 'sighup',
    description: 'Time spent flushing dirty buffers during checkpoint, as fraction of checkpoint interval.',
    category: WAL_CHECKPOINTS,
  },
  {
    // Lab sizing: 256MB, the instance's default (src/engine/instance/instance.ts).
    name: 'max_wal_size',
    type: 'int',
    default: 256,
    min: 2,
    max: INT_MAX,
    unit: 'MB',
    context: 'sighup',
    description: 'Sets the WAL size that triggers a checkpoint.',
    category: WAL_CHECKPOINTS,
  },
  {
    name: 'max_connections',
    type: 'int',
    default: 250,
    min: 1,
    max: 262143,
    context: 'postmaster',
    description: 'Sets the maximum number of concurrent connections.',
    category: 'Connections and Authentication / Connection Settings',
  },
  {
    name: 'superuser_reserved_connections',
    type: 'int',
    default: 10,
    min: 0,
    max: 262143,
    context: 'postmaster',
    description: 'Sets the number of connection slots reserved for superusers.',
    category: 'Connections and Authentication / Connection Settings',
  },
  {
    name: 'gp_enable_explain_allstat',
    type: 'bool',
    default: false,
    context: 'user',
    description: 'Experimental feature: dump stats for all segments in EXPLAIN ANALYZE.',
    category: 'Developer Options',
  },
  {
    name: 'gp_enable_global_deadlock_detector',
    type: 'bool',
    default: false,
    context: 'postmaster',
    description: 'Enables the Global Deadlock Detector.',
    category: 'Customized Options',
  },
  {
    name: 'default_table_access_method',
    type: 'string',
    default: 'heap',
    context: 'user',
    description: 'Sets the default table access method for new tables.',
    category: STATEMENT,
    check: checkAccessMethod,
  },
  {
    name: 'gp_default_storage_options',
    type: 'string',
    default: 'blocksize=32768,compresstype=none,checksum=true',
    context: 'user',
    description: 'Sets the default options for appendonly storage.',
    category: 'Append-Optimized Tables',
    check: checkStorageOptions,
  },
  {
    name: 'enable_indexscan',
    type: 'bool',
    default: true,
    context: 'user',
    description: "Enables the planner's use of index-scan plans.",
    category: 'Query Tuning / Planner Method Configuration',
  },
  {
    name: 'enable_seqscan',
    type: 'bool',
    default: true,
    context: 'user',
    description: "Enables the planner's use of sequential-scan plans.",
    category: 'Query Tuning / Planner Method Configuration',
  },
  {
    name: 'optimizer',
    type: 'bool',
    default: false,
    context: 'user',
    description: 'Enable GPORCA.',
    category: 'Query Tuning / Planner Method Configuration',
    // The lab has only the Postgres planner, as a build without ORCA.
    checkBool: (v) =>
      v ? { ok: false, message: 'ORCA is not supported by this build' } : { ok: true, value: 'off' },
  },
  // --- Session ------------------------------------------------------------------------------
  {
    name: 'statement_timeout',
    type: 'int',
    default: 0,
    min: 0,
    max: INT_MAX,
    unit: 'ms',
    context: 'user',
    description: 'Sets the maximum allowed duration of any statement.',
    category: STATEMENT,
  },
  {
    name: 'lock_timeout',
    type: 'int',
    default: 0,
    min: 0,
    max: INT_MAX,
    unit: 'ms',
    context: 'user',
    description: 'Sets the maximum allowed duration of any wait for a lock.',
    category: STATEMENT,
  },
  {
    name: 'search_path',
    type: 'string',
    default: '"$user", public',
    context: 'user',
    description: 'Sets the schema search order for names that are not schema-qualified.',
    category: STATEMENT,
    listInput: true,
    listQuote: true,
  },
  {
    name: 'DateStyle',
    type: 'string',
    default: 'ISO, MDY',
    context: 'user',
    description: 'Sets the display format for date and time values.',
    category: LOCALE,
    listInput: true,
    check: checkDateStyle,
  },
  {
    name: 'TimeZone',
    type: 'string',
    default: 'UTC',
    context: 'user',
    description: 'Sets the time zone for displaying and interpreting time stamps.',
    category: LOCALE,
    check: checkTimeZone,
  },
  {
    name: 'client_min_messages',
    type: 'enum',
    default: 'notice',
    enumValues: ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error'],
    enumAliases: { debug: 'debug2', info: 'info' },
    context: 'user',
    description: 'Sets the message levels that are sent to the client.',
    category: STATEMENT,
  },
  {
    name: 'application_name',
    type: 'string',
    default: '',
    context: 'user',
    description: 'Sets the application name to be reported in statistics and logs.',
    category: 'Reporting and Logging / What to Log',
    // check_application_name: only printable ASCII is kept.
    check: (v) => ({ ok: true, value: v.replace(/[^\x20-\x7e]/g, '?') }),
  },
  {
    name: 'extra_float_digits',
    type: 'int',
    default: 1,
    min: -15,
    max: 3,
    context: 'user',
    description: 'Sets the number of digits displayed for floating-point values.',
    category: LOCALE,
  },
  // --- Identity and versions ------------------------------------------------------------------
  {
    name: 'gp_role',
    type: 'string',
    default: 'dispatch',
    context: 'backend',
    description: 'Sets the role for the session.',
    category: 'Greenplum Worker Identity',
    check: checkGpRole,
  },
  {
    name: 'gp_session_role',
    type: 'string',
    default: 'dispatch',
    context: 'backend',
    description: 'Alias of gp_role for compatibility.',
    category: 'Version and Platform Compatibility / Previous PostgreSQL Versions',
    aliasOf: 'gp_role',
    check: checkGpRole,
  },
  {
    // Lab default: the coordinator's identity; each instance is started with its own.
    name: 'gp_contentid',
    type: 'int',
    default: -1,
    min: -2147483648,
    max: INT_MAX,
    context: 'postmaster',
    description: 'The contentid used by this server.',
    category: PRESET,
  },
  {
    name: 'gp_dbid',
    type: 'int',
    default: 1,
    min: -2147483648,
    max: INT_MAX,
    context: 'postmaster',
    description: 'The dbid used by this server.',
    category: PRESET,
  },
  {
    // What pg_control of this instance records (gpinitsystem's HEAP_CHECKSUM, on by default).
    name: 'data_checksums',
    type: 'bool',
    default: true,
    context: 'internal',
    description: 'Shows whether data checksums are turned on for this cluster.',
    category: PRESET,
  },
  {
    name: 'server_version',
    type: 'string',
    default: '12.12',
    context: 'internal',
    description: 'Shows the server version.',
    category: PRESET,
  },
  {
    name: 'server_version_num',
    type: 'int',
    default: 120012,
    min: 120012,
    max: 120012,
    context: 'internal',
    description: 'Shows the server version as an integer.',
    category: PRESET,
  },
  {
    name: 'gp_server_version',
    type: 'string',
    default: GP_VERSION,
    context: 'internal',
    description: 'Shows the Greenplum server version.',
    category: PRESET,
  },
  {
    name: 'gp_server_version_num',
    type: 'int',
    default: GP_VERSION_NUM,
    min: GP_VERSION_NUM,
    max: GP_VERSION_NUM,
    context: 'internal',
    description: 'Shows the Greenplum server version as an integer.',
    category: PRESET,
  },
];
