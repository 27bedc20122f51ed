/**
 * The configuration parameters (GUCs) the lab knows, with Greenplum 7's contexts, defaults,
 * ranges, units and descriptions (GA `src/backend/utils/misc/guc_gp.c` for the gp_* ones,
 * Postgres 12's guc.c for the rest; shared/greenplum-ha.md §2.4).
 *
 * Lab deviations, each marked where it is defined: `shared_buffers` and `max_wal_size` are sized
 * for a browser tab; `gp_contentid`/`gp_dbid` default to the coordinator's identity.
 */

import { ENGINE_VERSION } from '../version.ts';
import { INT_MAX } from './settings-units.ts';
import type { SettingDef } from './settings-types.ts';
import { REPLICATION_SETTINGS } from './settings-defs-replication.ts';
import {
  checkAccessMethod,
  checkDateStyle,
  checkGpRole,
  checkStorageOptions,
  checkTimeZone,
} from './settings-checks.ts';

export type { GucValue, GucContext, GucType, GucCheckResult, SettingDef } from './settings-types.ts';

const WAL_CHECKPOINTS = 'Write-Ahead Log / Checkpoints';
const STATEMENT = 'Client Connection Defaults / Statement Behavior';
const LOCALE = 'Client Connection Defaults / Locale and Formatting';
const PRESET = 'Preset Options';

/** Greenplum 7's version numbers, as `version()` shows them (src/engine/version.ts). */
export const GP_VERSION = `7.0.0 build mpp-ha-lab ${ENGINE_VERSION}`;
export const GP_VERSION_NUM = 70000;

export const SETTING_DEFS: readonly SettingDef[] = [
  // --- FTS and replication (§2.4): settings-defs-replication.ts ------------------------------
  ...REPLICATION_SETTINGS,
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
