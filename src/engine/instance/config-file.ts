/**
 * postgresql.conf: the configuration file in an instance's data directory. gpinitsystem writes
 * it, gpconfig edits it (on every instance, or the coordinator and standby only), a base backup
 * copies it with the data, and the instance reads it when it starts and when it is told to
 * reload (gpstop -u).
 *
 * On the lab's block disk the text is stored from block 0 of its own file: length u32, then
 * UTF-8 bytes running on into the next blocks. Writes replace the whole file in one sync, as
 * gpconfig's helper replaces it with an atomic rename.
 */
import { BLCKSZ, type Disk } from '../storage/disk.ts';

/** A parameter's value as postgresql.conf holds it (the settings layer's GucValue, structurally). */
type ConfigValue = boolean | number | string;

export const CONFIG_FILE = 'postgresql.conf';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The file's text; undefined when the data directory has none. */
export function readConfigText(disk: Disk): string | undefined {
  return readTextFile(disk, CONFIG_FILE);
}

/** Replaces the file's text; durable with the disk's next sync (callers sync). */
export function writeConfigText(disk: Disk, text: string): void {
  writeTextFile(disk, CONFIG_FILE, text);
}

/** A text file in the data directory (postgresql.conf, gpexpand.status); undefined if absent. */
export function readTextFile(disk: Disk, file: string): string | undefined {
  const n = disk.nblocks(file);
  if (n === 0) return undefined;
  const first = disk.read(file, 0)!;
  const len = new DataView(first.buffer, first.byteOffset, first.byteLength).getUint32(0, true);
  const bytes = new Uint8Array(len + 4);
  for (let b = 0; b < n && b * BLCKSZ < bytes.length; b++) {
    const block = disk.read(file, b);
    if (block) bytes.set(block.subarray(0, Math.min(BLCKSZ, bytes.length - b * BLCKSZ)), b * BLCKSZ);
  }
  return dec.decode(bytes.subarray(4));
}

/** Replaces a text file's contents; durable with the disk's next sync (callers sync). */
export function writeTextFile(disk: Disk, file: string, text: string): void {
  const body = enc.encode(text);
  const bytes = new Uint8Array(body.length + 4);
  new DataView(bytes.buffer).setUint32(0, body.length, true);
  bytes.set(body, 4);
  const n = Math.max(1, Math.ceil(bytes.length / BLCKSZ));
  for (let b = 0; b < n; b++) {
    const block = new Uint8Array(BLCKSZ);
    block.set(bytes.subarray(b * BLCKSZ, (b + 1) * BLCKSZ));
    disk.write(file, b, block);
  }
  disk.truncate(file, n);
}

/**
 * A text file in a data directory as a utility on its host sees it (cat, a helper over ssh):
 * with `text`, replaced first; with null, removed first; each change synced before it answers.
 */
export async function dataFileOn(
  disk: Disk,
  file: string,
  text?: string | null,
): Promise<string | undefined> {
  if (text === null) disk.unlink(file);
  else if (text !== undefined) writeTextFile(disk, file, text);
  if (text !== undefined) await disk.sync();
  return readTextFile(disk, file);
}

/** One active `name = value` line. */
interface Entry {
  name: string;
  value: string;
}

/** An active line's setting, or undefined for blanks, comments and lines it cannot read. */
function parseLine(line: string): Entry | undefined {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_.$-]*)\s*=?\s*(.*)$/.exec(line);
  if (!m || line.trimStart().startsWith('#')) return undefined;
  const rest = m[2]!;
  if (rest.startsWith("'")) {
    // A quoted value: '' and \' are quotes inside it.
    let out = '';
    for (let i = 1; i < rest.length; i++) {
      const ch = rest[i]!;
      if (ch === '\\' && i + 1 < rest.length) {
        const next = rest[++i]!;
        out += next === 'n' ? '\n' : next;
      } else if (ch === "'") {
        if (rest[i + 1] === "'") {
          out += "'";
          i++;
        } else return { name: m[1]!.toLowerCase(), value: out };
      } else out += ch;
    }
    return undefined; // unterminated
  }
  const value = /^[^\s#]*/.exec(rest)![0];
  return value === '' ? undefined : { name: m[1]!.toLowerCase(), value };
}

/** The settings the file gives, the last active line of each name winning, as Postgres reads it. */
export function parseConfigText(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const e = parseLine(line);
    if (e) out[e.name] = e.value;
  }
  return out;
}

/** How a value is written: strings quoted (gpconfig quotes vartype string), the rest bare. */
export function configLiteral(value: ConfigValue, quote: boolean): string {
  const s = String(value);
  if (!quote) return s;
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\n/g, '\\n')}'`;
}

/** Comments out every active line of `name` (gpconfig -r). */
export function removeConfigSetting(text: string, name: string): string {
  const lower = name.toLowerCase();
  return text
    .split('\n')
    .map((line) => (parseLine(line)?.name === lower ? `#${line}` : line))
    .join('\n');
}

/** gpconfig -c: earlier active lines of `name` commented out, `name=literal` appended. */
export function changeConfigSetting(text: string, name: string, literal: string): string {
  const kept = removeConfigSetting(text, name);
  return `${kept}${kept === '' || kept.endsWith('\n') ? '' : '\n'}${name}=${literal}\n`;
}

/** The file gpinitsystem writes: the cluster's settings at initialisation. */
export function initialConfigText(
  settings: Readonly<Record<string, ConfigValue>>,
  quoted: (name: string) => boolean,
): string {
  const lines = ['# postgresql.conf, written by gpinitsystem', ''];
  for (const [name, value] of Object.entries(settings))
    lines.push(`${name}=${configLiteral(value, typeof value === 'string' && quoted(name))}`);
  return `${lines.join('\n')}\n`;
}
