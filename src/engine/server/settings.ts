/**
 * Configuration parameters (GUCs) of one session, as Postgres/Greenplum keep them.
 *
 * LAYERS. A value comes from, lowest first: the built-in default; the instance's configuration
 * (postgresql.conf, i.e. `ClusterOptions.settings`) and the connection's startup options
 * (`-c gp_role=utility`), which together are the *reset value*; a session `SET`; a `SET LOCAL`,
 * which lasts until the end of the transaction.
 *
 * TRANSACTIONS. Postgres' GUC stack (guc.c `push_old_value` / `AtEOXact_GUC`), reproduced:
 * every SET inside a transaction or savepoint saves the prior value once per nesting level; at
 * commit a SET stays and a SET LOCAL is undone; at rollback (of the transaction or to a savepoint)
 * every change made at that level is undone, including SET and RESET ALL. A SET LOCAL outside a
 * transaction block only warns "SET LOCAL can only be used in transaction blocks".
 *
 * CONTEXTS. SET refuses what Postgres refuses, with its messages and SQLSTATEs:
 * internal → `parameter "x" cannot be changed`; postmaster → `... cannot be changed without
 * restarting the server`; sighup → `... cannot be changed now` (change it in the configuration
 * with {@link Settings.reload}); backend → `... cannot be set after connection start`;
 * superuser, for others → `permission denied to set parameter "x"`.
 *
 * UNITS. Values are stored in the parameter's own unit (gp_fts_probe_interval in s,
 * shared_buffers in 8 kB pages). `show()` formats like SHOW (`1min`, `8MB`); `get()` returns the
 * runtime's base units: milliseconds for times, bytes for sizes, except pages for `8kB` units.
 *
 * TIME SCALE. The lab compresses time without breaking Greenplum's ranges (gp_fts_probe_interval
 * may not go below 10 s): settings keep their real values and the runtime divides every duration
 * by a time scale ({@link Settings.getScaledMs}). The 'compressed' preset's scale of 30 makes the
 * 60 s probe interval last 2 s of wall time, the 20 s probe timeout 0.67 s and the 30 s mirror
 * grace period 1 s, while SHOW still answers `1min`, `20s` and `30s`.
 */

import { SqlError, sqlError } from '../errors.ts';
import { SETTING_DEFS } from './settings-defs.ts';
import type { GucCheckResult, GucValue, SettingDef } from './settings-defs.ts';
import {
  baseUnitFactor,
  formatG,
  formatIntSetting,
  formatRealSetting,
  parseIntSetting,
  parseRealSetting,
} from './settings-units.ts';
export { SETTING_DEFS, GP_VERSION, GP_VERSION_NUM } from './settings-defs.ts';
export type { GucCheckResult, GucContext, GucType, GucValue, SettingDef } from './settings-defs.ts';
export type { GucUnit } from './settings-units.ts';

/** A message Postgres would send with the command's result instead of an error. */
export interface GucNotice {
  severity: 'WARNING' | 'NOTICE' | 'LOG';
  code: string;
  message: string;
}

/** One row of SHOW ALL. */
export interface ShowAllRow {
  name: string;
  setting: string;
  description: string;
}

/** The value SET receives: text, a number or boolean literal, a list (`SET x = a, b`), or DEFAULT (null). */
export type SetInput = GucValue | readonly string[] | null;

export interface SettingsOptions {
  /** postgresql.conf of the instance: `ClusterOptions.settings`. */
  config?: Readonly<Record<string, GucValue>>;
  /** Startup options of the connection (`PGOPTIONS='-c gp_role=utility'`). */
  startup?: Readonly<Record<string, GucValue>>;
  /** Whether the session's role is a superuser; the lab's gpadmin is. Default true. */
  superuser?: boolean;
  /** Values the server itself sets for internal parameters (data_checksums, from pg_control). */
  preset?: Readonly<Record<string, GucValue>>;
}

/** What a configuration reload did (`pg_reload_conf()`, `gpstop -u`). */
export interface ReloadResult {
  /** Parameters whose new value is now in effect (unless a session SET hides it). */
  applied: string[];
  /** postmaster parameters whose new value waits for a restart (`pending_restart`). */
  pendingRestart: string[];
}

/** Where a value came from, lowest first: 'client' is a connection's startup option (PGOPTIONS). */
type Source = 'default' | 'config' | 'client' | 'session';

interface Slot {
  value: GucValue;
  source: Source;
}

/** One saved level of Postgres' GUC stack. */
interface StackEntry {
  nestLevel: number;
  state: 'set' | 'local' | 'set_local';
  prior: Slot;
  masked?: Slot;
}

/** How fast the lab's clock runs, and the settings that go with it. */
export interface SpeedPreset {
  name: 'realistic' | 'compressed';
  description: string;
  /** Wall-clock duration = simulated duration / timeScale. */
  timeScale: number;
  /** Settings the preset puts in the instance configuration (always within Greenplum's ranges). */
  settings: Readonly<Record<string, GucValue>>;
}

export const speedPresets: Readonly<Record<SpeedPreset['name'], SpeedPreset>> = {
  realistic: {
    name: 'realistic',
    description:
      "Greenplum's defaults at wall-clock speed: a probe every 60 s, a failover in about a minute.",
    timeScale: 1,
    settings: {},
  },
  compressed: {
    name: 'compressed',
    description:
      "Greenplum's defaults with time running 30 times faster: a probe every 2 s of wall time, " +
      'a failover in seconds; SHOW keeps answering the real values.',
    timeScale: 30,
    settings: {},
  },
};

const DEFS_BY_NAME = new Map(SETTING_DEFS.map((d) => [d.name.toLowerCase(), d]));

/** The definition of a parameter, by case-insensitive name. */
export function findSetting(name: string): SettingDef | undefined {
  return DEFS_BY_NAME.get(name.toLowerCase());
}

function unrecognized(name: string): SqlError {
  return sqlError('undefined_object', `unrecognized configuration parameter "${name}"`);
}

function invalidValue(def: SettingDef, text: string, extra?: { detail?: string; hint?: string }): SqlError {
  return sqlError('invalid_parameter_value', `invalid value for parameter "${def.name}": "${text}"`, extra);
}

/** Postgres' parse_bool: true/false, yes/no, on/off, 1/0, and unambiguous prefixes of the words. */
export function parseBool(text: string): boolean | undefined {
  const v = text.trim().toLowerCase();
  if (v === '') return undefined;
  if ('true'.startsWith(v) || 'yes'.startsWith(v)) return true;
  if ('false'.startsWith(v) || 'no'.startsWith(v)) return false;
  if (v.length >= 2 && 'on'.startsWith(v)) return true;
  if (v.length >= 2 && 'off'.startsWith(v)) return false;
  if (v === '1') return true;
  if (v === '0') return false;
  return undefined;
}

const SIMPLE_IDENT = /^[a-z_][a-z0-9_$]*$/;
const RESERVED = new Set([
  'all', 'and', 'any', 'as', 'asc', 'both', 'case', 'cast', 'check', 'column', 'create', 'default', 'desc',
  'distinct', 'do', 'else', 'end', 'false', 'for', 'from', 'grant', 'group', 'having', 'in', 'into', 'is',
  'limit', 'not', 'null', 'offset', 'on', 'only', 'or', 'order', 'select', 'table', 'then', 'to', 'true',
  'union', 'unique', 'user', 'using', 'when', 'where', 'with',
]); // prettier-ignore

/** quote_identifier: double-quote a name unless it is a plain lower-case, non-reserved identifier. */
export function quoteIdentifier(name: string): string {
  if (SIMPLE_IDENT.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

function textOf(def: SettingDef, input: Exclude<SetInput, null>): string {
  if (typeof input === 'boolean') return input ? 'on' : 'off';
  if (typeof input === 'number') return String(input);
  if (typeof input === 'string') return input;
  // flatten_set_variable_args
  if (input.length > 1 && !def.listInput) {
    throw sqlError('invalid_parameter_value', `SET ${def.name} takes only one argument`);
  }
  return input.map((v) => (def.listQuote ? quoteIdentifier(v) : v)).join(', ');
}

function applyCheck(def: SettingDef, text: string, r: GucCheckResult): string {
  if (r.ok) return r.value;
  if (r.message !== undefined) {
    const extra: { detail?: string; hint?: string } = {};
    if (r.detail !== undefined) extra.detail = r.detail;
    if (r.hint !== undefined) extra.hint = r.hint;
    throw sqlError('invalid_parameter_value', r.message, extra);
  }
  const extra: { detail?: string; hint?: string } = {};
  if (r.detail !== undefined) extra.detail = r.detail;
  if (r.hint !== undefined) extra.hint = r.hint;
  throw invalidValue(def, text, extra);
}

/**
 * Postgres' parse_and_validate_value: the stored value for `input`, or a SqlError with Postgres'
 * message (22023). `current` is what check hooks such as DateStyle's keep unspecified parts from.
 */
export function parseSettingValue(
  def: SettingDef,
  input: Exclude<SetInput, null>,
  current?: GucValue,
): GucValue {
  const text = textOf(def, input);
  switch (def.type) {
    case 'bool': {
      const b = typeof input === 'boolean' ? input : parseBool(text);
      if (b === undefined) {
        throw sqlError('invalid_parameter_value', `parameter "${def.name}" requires a Boolean value`);
      }
      if (def.checkBool) applyCheck(def, text, def.checkBool(b));
      return b;
    }
    case 'int': {
      const r = parseIntSetting(text, def.unit);
      if (!r.ok) throw invalidValue(def, text, r.hint !== undefined ? { hint: r.hint } : undefined);
      const min = def.min ?? -2147483648;
      const max = def.max ?? 2147483647;
      if (r.value < min || r.value > max) {
        const unit = def.unit !== undefined ? ` ${def.unit}` : '';
        throw sqlError(
          'invalid_parameter_value',
          `${r.value}${unit} is outside the valid range for parameter "${def.name}" (${min} .. ${max})`,
        );
      }
      return r.value;
    }
    case 'real': {
      const r = parseRealSetting(text, def.unit);
      if (!r.ok) throw invalidValue(def, text, r.hint !== undefined ? { hint: r.hint } : undefined);
      const min = def.min ?? -Number.MAX_VALUE;
      const max = def.max ?? Number.MAX_VALUE;
      if (r.value < min || r.value > max) {
        const unit = def.unit !== undefined ? ` ${def.unit}` : '';
        throw sqlError(
          'invalid_parameter_value',
          `${formatG(r.value)}${unit} is outside the valid range for parameter "${def.name}" (${formatG(min)} .. ${formatG(max)})`,
        );
      }
      return r.value;
    }
    case 'enum': {
      const v = text.toLowerCase();
      const values = def.enumValues ?? [];
      const found = values.find((e) => e === v) ?? def.enumAliases?.[v];
      if (found === undefined) {
        throw invalidValue(def, text, { hint: `Available values: ${values.join(', ')}.` });
      }
      return found;
    }
    case 'string': {
      if (!def.check) return text;
      return applyCheck(
        def,
        text,
        def.check(text, typeof current === 'string' ? current : String(def.default)),
      );
    }
  }
}

/** SHOW's text for a stored value. */
export function formatSettingValue(def: SettingDef, value: GucValue): string {
  switch (def.type) {
    case 'bool':
      return value ? 'on' : 'off';
    case 'int':
      return formatIntSetting(Number(value), def.unit);
    case 'real':
      return formatRealSetting(Number(value), def.unit);
    default:
      return String(value);
  }
}

/** A value in the runtime's base units: ms for times, bytes for sizes, pages for 8kB units. */
export function toBaseUnits(def: SettingDef, value: GucValue): GucValue {
  if (typeof value !== 'number' || def.unit === undefined || def.unit === '8kB') return value;
  if (value < 0) return value; // -1 and the like mean "disabled" or "unlimited", not a size
  return value * baseUnitFactor(def.unit);
}

function contextError(def: SettingDef, superuser: boolean): SqlError | undefined {
  const n = def.name;
  switch (def.context) {
    case 'internal':
      return sqlError('cant_change_runtime_param', `parameter "${n}" cannot be changed`);
    case 'postmaster':
      return sqlError(
        'cant_change_runtime_param',
        `parameter "${n}" cannot be changed without restarting the server`,
      );
    case 'sighup':
      return sqlError('cant_change_runtime_param', `parameter "${n}" cannot be changed now`);
    case 'backend':
      return sqlError('cant_change_runtime_param', `parameter "${n}" cannot be set after connection start`);
    case 'superuser':
      return superuser ? undefined : new SqlError('42501', `permission denied to set parameter "${n}"`);
    case 'user':
      return undefined;
  }
}

/** A custom parameter such as `myapp.mode` that nothing defined: a user-settable string. */
function placeholderDef(name: string): SettingDef {
  return {
    name,
    type: 'string',
    default: '',
    context: 'user',
    description: '',
    category: 'Customized Options',
    noShowAll: true,
  };
}

/**
 * The configuration parameters of one session on one instance. See the module comment for the
 * layering, the transaction rules and the errors.
 */
export class Settings {
  /** Whether SET of superuser parameters (and SHOW of superuser-only ones) is allowed. */
  superuser: boolean;
  private readonly placeholders = new Map<string, SettingDef>();
  private readonly resetSlots = new Map<string, Slot>();
  private readonly current = new Map<string, Slot>();
  private readonly stacks = new Map<string, StackEntry[]>();
  private readonly pending = new Map<string, GucValue>();
  private nestLevel = 0;

  constructor(options: SettingsOptions = {}) {
    this.superuser = options.superuser ?? true;
    for (const def of SETTING_DEFS) {
      if (def.aliasOf !== undefined) continue;
      this.resetSlots.set(def.name, { value: def.default, source: 'default' });
    }
    this.loadConfig(options.config ?? {}, false);
    for (const [name, value] of Object.entries(options.preset ?? {})) {
      const def = this.mustFind(name);
      this.resetSlots.set(def.name, { value: parseSettingValue(def, value, def.default), source: 'default' });
    }
    for (const [name, value] of Object.entries(options.startup ?? {})) {
      const def = this.mustFind(name);
      if (def.context === 'internal' || def.context === 'postmaster' || def.context === 'sighup') {
        throw contextError(def, true) ?? unrecognized(name);
      }
      const err = def.context === 'superuser' ? contextError(def, this.superuser) : undefined;
      if (err) throw err;
      this.resetSlots.set(def.name, {
        value: parseSettingValue(def, value, this.resetOf(def)),
        source: 'client',
      });
    }
    for (const [name, slot] of this.resetSlots) this.current.set(name, { ...slot });
  }

  /** Every defined parameter, including those SHOW ALL leaves out. */
  static definitions(): readonly SettingDef[] {
    return SETTING_DEFS;
  }

  private resetOf(def: SettingDef): GucValue {
    return this.resetSlots.get(def.name)?.value ?? def.default;
  }

  /** The definition, following aliases; custom `a.b` names become placeholders. */
  private find(name: string): SettingDef | undefined {
    const def = findSetting(name);
    if (def?.aliasOf !== undefined) return findSetting(def.aliasOf);
    if (def) return def;
    return this.placeholders.get(name.toLowerCase());
  }

  private mustFind(name: string): SettingDef {
    const def = this.find(name);
    if (!def) throw unrecognized(name);
    return def;
  }

  private findOrCreatePlaceholder(name: string): SettingDef {
    const def = this.find(name);
    if (def) return def;
    if (/^[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$.]*$/.test(name)) {
      const p = placeholderDef(name.toLowerCase());
      this.placeholders.set(p.name, p);
      this.resetSlots.set(p.name, { value: '', source: 'default' });
      this.current.set(p.name, { value: '', source: 'default' });
      return p;
    }
    throw unrecognized(name);
  }

  private loadConfig(config: Readonly<Record<string, GucValue>>, reload: boolean): ReloadResult {
    const result: ReloadResult = { applied: [], pendingRestart: [] };
    const entries = Object.entries(config);
    if (reload) {
      // A parameter no longer in the file goes back to its default ("parameter removed from
      // configuration file, reset to default").
      const named = new Set(entries.map(([n]) => this.find(n)?.name));
      for (const [name, slot] of this.resetSlots)
        if (slot.source === 'config' && !named.has(name)) entries.push([name, this.mustFind(name).default]);
    }
    for (const [name, input] of entries) {
      const def = this.mustFind(name);
      if (def.context === 'internal') throw contextError(def, true) ?? unrecognized(name);
      const value = parseSettingValue(def, input, this.resetOf(def));
      if (reload && def.context === 'postmaster') {
        if (value !== this.current.get(def.name)?.value) {
          this.pending.set(def.name, value);
          result.pendingRestart.push(def.name);
        } else this.pending.delete(def.name);
        continue;
      }
      if (reload && def.context === 'backend') continue; // only new connections see it
      // A connection's startup option outranks the file (PGC_S_CLIENT > PGC_S_FILE).
      if (this.resetSlots.get(def.name)?.source === 'client') continue;
      this.resetSlots.set(def.name, { value, source: 'config' });
      if (reload) {
        const cur = this.current.get(def.name);
        // A value SET in the session outranks the file (PGC_S_SESSION > PGC_S_FILE).
        if (cur && (cur.source === 'config' || cur.source === 'default'))
          this.current.set(def.name, { value, source: 'config' });
        result.applied.push(def.name);
      }
    }
    return result;
  }

  /**
   * Re-reads the instance configuration (SIGHUP: `pg_reload_conf()`, `gpstop -u`): sighup and
   * session parameters take the new values; postmaster ones wait for a restart.
   */
  reload(config: Readonly<Record<string, GucValue>>): ReloadResult {
    return this.loadConfig(config, true);
  }

  /**
   * The values this instance's configuration gives now (what a new session starts from):
   * postmaster parameters as they were at start, the others as last reloaded.
   */
  configValues(): Record<string, GucValue> {
    const out: Record<string, GucValue> = {};
    for (const [name, slot] of this.resetSlots) if (slot.source === 'config') out[name] = slot.value;
    return out;
  }

  /** postmaster parameters changed in the configuration and waiting for a restart. */
  pendingRestart(): ReadonlyMap<string, GucValue> {
    return this.pending;
  }

  /**
   * SET name = value (or SET LOCAL, or SET name TO DEFAULT when `value` is null). Returns the
   * notices Postgres would send; throws SqlError for what it refuses.
   */
  set(name: string, value: SetInput, options: { local?: boolean } = {}): GucNotice[] {
    const notices: GucNotice[] = [];
    const local = options.local ?? false;
    if (local && this.nestLevel === 0) {
      notices.push({
        severity: 'WARNING',
        code: '25P01',
        message: 'SET LOCAL can only be used in transaction blocks',
      });
    }
    const def = this.findOrCreatePlaceholder(name);
    const err = contextError({ ...def, name: findSetting(name)?.name ?? def.name }, this.superuser);
    if (err) throw err;
    const slot: Slot =
      value === null
        ? { ...(this.resetSlots.get(def.name) ?? { value: def.default, source: 'default' }) }
        : { value: parseSettingValue(def, value, this.current.get(def.name)?.value), source: 'session' };
    if (local && this.nestLevel === 0) return notices; // the implicit transaction discards it at once
    this.assign(def.name, slot, local);
    return notices;
  }

  /** RESET name: back to the reset value (the instance configuration, else the default). */
  reset(name: string): GucNotice[] {
    return this.set(name, null);
  }

  /** RESET ALL: every user and superuser parameter back to its reset value. */
  resetAll(): void {
    for (const def of [...SETTING_DEFS, ...this.placeholders.values()]) {
      if (def.aliasOf !== undefined || def.noResetAll) continue;
      if (def.context !== 'user' && def.context !== 'superuser') continue;
      const slot = this.resetSlots.get(def.name);
      if (slot) this.assign(def.name, { ...slot }, false);
    }
  }

  private assign(name: string, slot: Slot, local: boolean): void {
    this.pushOldValue(name, local);
    this.current.set(name, slot);
  }

  /** guc.c push_old_value. */
  private pushOldValue(name: string, local: boolean): void {
    if (this.nestLevel === 0) return;
    const stack = this.stacks.get(name) ?? [];
    const top = stack[stack.length - 1];
    const cur = this.current.get(name) ?? { value: '', source: 'default' };
    if (top && top.nestLevel >= this.nestLevel) {
      if (!local) {
        delete top.masked;
        top.state = 'set';
      } else if (top.state === 'set') {
        top.masked = { ...cur };
        top.state = 'set_local';
      }
      return;
    }
    stack.push({ nestLevel: this.nestLevel, state: local ? 'local' : 'set', prior: { ...cur } });
    this.stacks.set(name, stack);
  }

  /** guc.c AtEOXact_GUC: end of the (sub)transaction at `nestLevel`. */
  private atEndOfXact(isCommit: boolean, nestLevel: number): void {
    for (const [name, stack] of this.stacks) {
      for (;;) {
        const entry = stack[stack.length - 1];
        if (!entry || entry.nestLevel < nestLevel) break;
        const prev = stack[stack.length - 2];
        let restore: Slot | undefined;
        if (!isCommit) restore = entry.prior;
        else if (entry.nestLevel === 1) {
          if (entry.state === 'set_local') restore = entry.masked;
          else if (entry.state === 'local') restore = entry.prior;
        } else if (!prev || prev.nestLevel < entry.nestLevel - 1) {
          entry.nestLevel--; // merge into the enclosing level without popping
          continue;
        } else {
          // Merge this level into the previous one (nest_level - 1).
          if (entry.state === 'set') {
            delete prev.masked;
            prev.state = 'set';
          } else if (entry.state === 'local') {
            if (prev.state === 'set') {
              prev.masked = entry.prior;
              prev.state = 'set_local';
            }
          } else {
            if (entry.masked) prev.masked = entry.masked;
            prev.state = 'set_local';
          }
        }
        if (restore) this.current.set(name, { ...restore });
        stack.pop();
      }
      if (stack.length === 0) this.stacks.delete(name);
    }
  }

  /** BEGIN: the transaction is nesting level 1. */
  beginTransaction(): void {
    this.nestLevel = 1;
  }

  /** COMMIT: SET stays, SET LOCAL is undone. */
  commitTransaction(): void {
    this.atEndOfXact(true, 1);
    this.nestLevel = 0;
  }

  /** ROLLBACK (or a failed transaction's end): every change inside is undone. */
  abortTransaction(): void {
    this.atEndOfXact(false, 1);
    this.nestLevel = 0;
  }

  /** SAVEPOINT: a new nesting level; returns it for release or rollback. */
  savepoint(): number {
    if (this.nestLevel === 0) this.nestLevel = 1;
    return ++this.nestLevel;
  }

  /** RELEASE SAVEPOINT: its changes merge into the enclosing level. */
  releaseSavepoint(level: number): void {
    this.atEndOfXact(true, level);
    this.nestLevel = level - 1;
  }

  /** ROLLBACK TO SAVEPOINT: changes since it are undone; the savepoint stays. */
  rollbackToSavepoint(level: number): void {
    this.atEndOfXact(false, level);
    this.nestLevel = level;
  }

  /** Whether a transaction block is open (SET LOCAL has an effect). */
  get inTransaction(): boolean {
    return this.nestLevel > 0;
  }

  /** SHOW name: the display text (`1min`, `8MB`, `on`). */
  show(name: string): string {
    const def = this.mustFind(name);
    if (def.superuserOnly && !this.superuser) {
      throw new SqlError(
        '42501',
        `must be superuser or a member of pg_read_all_settings to examine "${def.name}"`,
      );
    }
    return formatSettingValue(def, this.raw(def));
  }

  /** SHOW ALL: name, setting and description, sorted by name as Postgres does (case-insensitive). */
  showAll(): ShowAllRow[] {
    return SETTING_DEFS.filter((d) => !d.noShowAll && (this.superuser || !d.superuserOnly))
      .map((d) => {
        const def = d.aliasOf !== undefined ? (findSetting(d.aliasOf) ?? d) : d;
        return { name: d.name, setting: formatSettingValue(def, this.raw(def)), description: d.description };
      })
      .sort((a, b) => {
        const x = a.name.toLowerCase();
        const y = b.name.toLowerCase();
        return x < y ? -1 : x > y ? 1 : 0;
      });
  }

  private raw(def: SettingDef): GucValue {
    return this.current.get(def.name)?.value ?? def.default;
  }

  /** The value in the parameter's own unit (what `current_setting` compares against, unformatted). */
  getRaw(name: string): GucValue {
    return this.raw(this.mustFind(name));
  }

  /**
   * The value for the runtime: ms for time settings, bytes for sizes, pages for `8kB` settings,
   * the plain value otherwise (-1 stays -1).
   */
  get<T extends GucValue = GucValue>(name: string): T {
    const def = this.mustFind(name);
    return toBaseUnits(def, this.raw(def)) as T;
  }

  /** A time setting in wall-clock ms under a time scale (see the module comment). */
  getScaledMs(name: string, timeScale: number): number {
    const def = this.mustFind(name);
    const ms = toBaseUnits(def, this.raw(def));
    if (typeof ms !== 'number' || def.unit === undefined || !['ms', 's', 'min'].includes(def.unit)) {
      throw new Error(`assertion failed: ${def.name} is not a time setting`);
    }
    return ms < 0 ? ms : ms / timeScale;
  }

  /** The source of the current value: built-in default, configuration, or a SET in this session. */
  source(name: string): Source {
    return this.current.get(this.mustFind(name).name)?.source ?? 'default';
  }

  /** The definition of a parameter (following gp_session_role → gp_role). */
  definition(name: string): SettingDef {
    return this.mustFind(name);
  }
}
