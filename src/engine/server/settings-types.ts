/**
 * The shape of a configuration parameter's definition (settings-defs.ts), shared with the
 * check hooks and the definitions split by subject.
 */
import type { GucUnit } from './settings-units.ts';

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
