/**
 * Check hooks of string parameters (Postgres' check_* functions): they normalize a value or
 * refuse it with the message Postgres gives.
 */
import type { GucCheckResult } from './settings-types.ts';

/** check_datestyle: an output style and a field order, each kept from `current` if not given. */
export function checkDateStyle(value: string, current: string): GucCheckResult {
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
export function checkTimeZone(value: string): GucCheckResult {
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
export function checkStorageOptions(value: string): GucCheckResult {
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

export function checkAccessMethod(value: string): GucCheckResult {
  if (['heap', 'ao_row', 'ao_column'].includes(value)) return { ok: true, value };
  return { ok: false, detail: `Table access method "${value}" does not exist.` };
}

export function checkGpRole(value: string): GucCheckResult {
  const v = value.trim().toLowerCase();
  if (['dispatch', 'execute', 'utility'].includes(v)) return { ok: true, value: v };
  return { ok: false };
}
