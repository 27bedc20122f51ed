/**
 * A simulated run as a link: the seed, the replication and the plan's steps (the explorer's
 * steps, so a shrunk failure is a link too), with the step to open at. Encoded as JSON, deflated
 * and base64url'd, for a URL fragment: a static host serves it and nothing leaves the page.
 * The simulation is deterministic, so opening it replays the same run. Decoding checks the whole
 * run before anything is replayed; a corrupted link or one from a newer format is refused
 * with a message that says why.
 */
import type { DuringFault, Shape, Step } from './steps.ts';
import type { Replication } from './explorer.ts';

/**
 * The format this build writes; it reads every format up to it. 1: an explorer seed's plan.
 * 2: a recorded run too (its own cluster shape; a person's SQL, utilities, sessions).
 */
export const RUN_LINK_VERSION = 2;

/** The longest plan a run may carry (the explorer's default is 30 steps). */
export const MAX_STEPS = 5000;

/** The largest run a link may inflate to. */
const MAX_RUN_BYTES = 16 * 1024 * 1024;

export interface SharedRun {
  version: number;
  seed: number;
  replication: Replication;
  /** A recorded run's cluster (absent: the seed's shape, as the explorer draws it). */
  shape?: Shape;
  plan: Step[];
  /** The step to open at (0: before the first). */
  at: number;
}

export class RunLinkError extends Error {
  readonly reason: 'corrupt' | 'version';
  constructor(reason: 'corrupt' | 'version', message: string) {
    super(message);
    this.reason = reason;
  }
}

export async function encodeRun(run: Omit<SharedRun, 'version'>): Promise<string> {
  const json = JSON.stringify(canonical(run));
  const bytes = await pipe(
    Uint8Array.from(new TextEncoder().encode(json)),
    new CompressionStream('deflate-raw'),
  );
  return toBase64Url(bytes);
}

export async function decodeRun(code: string): Promise<SharedRun> {
  const corrupt = (why: string) =>
    new RunLinkError('corrupt', `This run link is damaged (${why}); copy the whole link again.`);
  let json: string;
  try {
    const bytes = await pipe(fromBase64Url(code), new DecompressionStream('deflate-raw'));
    json = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw corrupt('it does not decompress');
  }
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw corrupt('it is not JSON');
  }
  return checkRun(data, corrupt, 'link');
}

/** A run as a file: the same run as a link's, as indented JSON (export, then import, gives it back byte for byte). */
export function runFile(run: Omit<SharedRun, 'version'>): string {
  return `${JSON.stringify(canonical(run), null, 2)}\n`;
}

/** The run with this build's version, its fields in one order. */
function canonical(run: Omit<SharedRun, 'version'>): SharedRun {
  const { seed, replication, shape, plan, at } = run;
  return { version: RUN_LINK_VERSION, seed, replication, ...(shape ? { shape } : {}), plan, at };
}

/** Reads a run file, checked whole as a link is. */
export function readRunFile(text: string): SharedRun {
  const corrupt = (why: string) =>
    new RunLinkError('corrupt', `This is not a run file the lab can replay (${why}); export the run again.`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw corrupt('it is not JSON');
  }
  return checkRun(data, corrupt, 'file');
}

function checkRun(data: unknown, corrupt: (why: string) => RunLinkError, what: 'link' | 'file'): SharedRun {
  if (!isObject(data)) throw corrupt('no run in it');
  const version = data['version'];
  if (typeof version === 'number' && Number.isInteger(version) && version > RUN_LINK_VERSION)
    throw new RunLinkError(
      'version',
      `This run ${what} was made by a newer lab (format ${version}); this lab reads formats up to ${RUN_LINK_VERSION}. Open it in the lab that made it, or a newer one.`,
    );
  if (!isInt(version, 1, RUN_LINK_VERSION)) throw corrupt('no format version');
  const seed = data['seed'];
  if (!isInt(seed, 1, 2 ** 31)) throw corrupt('the seed is not a whole number from 1 to 2^31');
  const replication = data['replication'];
  if (replication !== 'wal' && replication !== 'filerep')
    throw corrupt('the replication is not wal or filerep');
  const shape = data['shape'];
  if (shape !== undefined && (version < 2 || !shapeOk(shape)))
    throw corrupt(
      'its cluster is not one the lab builds: segment hosts other than cdw and scdw, a mirror never on its primary’s host, at most 128 primaries',
    );
  const plan = data['plan'];
  if (!Array.isArray(plan) || plan.length > MAX_STEPS)
    throw corrupt(`the plan is not a list of at most ${MAX_STEPS} steps`);
  plan.forEach((s, i) => {
    const problem = stepProblem(s, version);
    if (problem) throw corrupt(`step ${i}: ${problem}`);
  });
  if (waitedMs(plan) > MAX_WAITED_MS) throw corrupt('its waits add up to more than a day of virtual time');
  const at = data['at'];
  if (!isInt(at, 0, plan.length)) throw corrupt(`the step to open at is not from 0 to ${plan.length}`);
  return { version, seed, replication, ...(shape ? { shape } : {}), plan: plan as Step[], at };
}

/**
 * A cluster a run can boot: segment hosts other than the coordinators' (cdw, scdw), a mirror
 * never on its own primary's host (group needs 2 hosts; spread, more hosts than segments per
 * host), at most 128 primaries.
 */
function shapeOk(v: unknown): v is Shape {
  if (!isObject(v)) return false;
  const hosts = v['hosts'];
  const perHost = v['segmentsPerHost'];
  const mirroring = v['mirroring'];
  if (
    !Array.isArray(hosts) ||
    !isInt(perHost, 1, 16) ||
    !['group', 'spread', 'none'].includes(mirroring as string)
  )
    return false;
  const names = hosts.every((h) => typeof h === 'string' && HOST.test(h) && h !== 'cdw' && h !== 'scdw');
  const placeable =
    mirroring === 'none' || (mirroring === 'group' ? hosts.length >= 2 : hosts.length > perHost);
  return (
    names &&
    new Set(hosts).size === hosts.length &&
    hosts.length * perHost <= 128 &&
    hosts.length >= 1 &&
    placeable
  );
}

/** The most virtual time a run's waits may ask for: a day (a replay must end in a moment). */
const MAX_WAITED_MS = 86_400_000;

function waitedMs(plan: unknown[]): number {
  return plan.reduce<number>((n, s) => {
    if (!isObject(s)) return n;
    const during = isObject(s['during']) ? Number(s['during']['afterMs']) || 0 : 0;
    return n + (s['op'] === 'wait' || s['op'] === 'load' ? Number(s['ms']) || 0 : 0) + during;
  }, 0);
}

const HOST = /^[a-z][a-z0-9-]{0,62}$/;

/** What is wrong with a step, or undefined when it is one the explorer can run. */
export function stepProblem(s: unknown, version = RUN_LINK_VERSION): string | undefined {
  if (!isObject(s) || typeof s['op'] !== 'string') return 'not a step';
  if (version < 2 && ['sql', 'disconnect', 'utility', 'load'].includes(s['op']))
    return `a ${s['op']} step in a format ${version} run`;
  const ms = (v: unknown) => isInt(v, 0, 86_400_000);
  const dbid = (v: unknown) => isInt(v, 1, 100_000);
  const target = (v: unknown) => dbid(v) || (typeof v === 'string' && HOST.test(v));
  const text = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;
  const optional = (v: unknown, ok: (v: unknown) => boolean) => v === undefined || ok(v);
  const sessionId = (v: unknown) => isInt(v, 1, 1_000_000);
  const hosts = (v: unknown) => Array.isArray(v) && v.every((h) => target(h) && typeof h === 'string');
  const during = (v: unknown) => v === undefined || duringOk(v, target);
  const checks: Record<Step['op'], () => boolean> = {
    transfers: () => isInt(s['n'], 1, 64) && isInt(s['salt'], 0, 2 ** 31) && during(s['during']),
    appends: () => isInt(s['n'], 1, 64) && isInt(s['salt'], 0, 2 ** 31) && during(s['during']),
    ddl: () => isInt(s['id'], 1, 100_000),
    crash: () => target(s['target']),
    restart: () => target(s['target']),
    partition: () => hosts(s['a']) && hosts(s['b']),
    heal: () => true,
    delay: () => dbid(s['dbid']) && ms(s['ms']),
    slowDisk: () => dbid(s['dbid']) && ms(s['ms']),
    diskFull: () => dbid(s['dbid']) && typeof s['full'] === 'boolean',
    coordinatorFailover: () => true,
    initStandby: () => true,
    recoverseg: () => ['', '-F', '--differential', '-r'].includes(s['flags'] as string),
    addMirrors: () => typeof s['spread'] === 'boolean',
    expand: () => isInt(s['hosts'], 1, 16) && during(s['during']),
    maintenance: () => typeof s['command'] === 'string' && /^gpstop( [-\w]+)*$/.test(s['command']),
    wait: () => ms(s['ms']),
    load: () => isInt(s['clients'], 1, 16) && ms(s['ms']) && isInt(s['salt'], 0, 2 ** 31),
    sql: () => text(s['text'], 100_000) && optional(s['session'], sessionId) && optional(s['dbid'], dbid),
    disconnect: () => sessionId(s['session']),
    utility: () => text(s['command'], 10_000),
  };
  const check = checks[s['op'] as Step['op']];
  if (!check) return `unknown step "${s['op']}"`;
  return check() ? undefined : `a ${s['op']} step with fields that do not fit it`;
}

function duringOk(v: unknown, target: (t: unknown) => boolean): v is DuringFault {
  return (
    isObject(v) &&
    (v['op'] === 'crash' || v['op'] === 'restart') &&
    target(v['target']) &&
    isInt(v['afterMs'], 0, 86_400_000)
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

async function pipe(
  bytes: Uint8Array<ArrayBuffer>,
  stream: CompressionStream | DecompressionStream,
): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  // Not awaited before reading: the stream holds back writes until its output is read.
  let failed: unknown;
  const written = writer
    .write(bytes)
    .then(() => writer.close())
    .catch((e: unknown) => void (failed = e));
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read())
    if (r.value) {
      chunks.push(r.value);
      // A link inflating past any run's size is not one (a decompression bomb, or damage).
      if ((size += r.value.length) > MAX_RUN_BYTES) throw new Error('too large');
    }
  await written;
  if (failed !== undefined) throw failed;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding (the engine has no btoa: it runs outside pages too). */
function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += B64[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

function fromBase64Url(code: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(code) || code.length % 4 === 1) throw new Error('not base64url');
  const out = new Uint8Array(Math.floor((code.length * 6) / 8));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const ch of code) {
    acc = (acc << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}
