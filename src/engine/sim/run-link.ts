/**
 * A simulated run as a link: the seed, the replication and the plan's steps (the explorer's
 * steps, so a shrunk failure is a link too), with the step to open at. Encoded as JSON, deflated
 * and base64url'd, for a URL fragment: a static host serves it and nothing leaves the page.
 * The simulation is deterministic, so opening it replays the same run. Decoding checks the whole
 * run before anything is replayed; a corrupted link or one from a newer format is refused
 * with a message that says why.
 */
import type { DuringFault, Step } from './steps.ts';
import type { Replication } from './explorer.ts';

/** The link format this build writes and reads. */
export const RUN_LINK_VERSION = 1;

/** The longest plan a link may carry (the explorer's default is 30 steps). */
const MAX_STEPS = 500;

export interface SharedRun {
  version: number;
  seed: number;
  replication: Replication;
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
  const json = JSON.stringify({ version: RUN_LINK_VERSION, ...run });
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
  if (!isObject(data)) throw corrupt('no run in it');
  const version = data['version'];
  if (typeof version === 'number' && Number.isInteger(version) && version > RUN_LINK_VERSION)
    throw new RunLinkError(
      'version',
      `This run link was made by a newer lab (link format ${version}); this lab reads format ${RUN_LINK_VERSION}. Open it in the lab that made it, or a newer one.`,
    );
  if (version !== RUN_LINK_VERSION) throw corrupt('no format version');
  const seed = data['seed'];
  if (!isInt(seed, 1, 2 ** 31)) throw corrupt('the seed is not a whole number from 1 to 2^31');
  const replication = data['replication'];
  if (replication !== 'wal' && replication !== 'filerep')
    throw corrupt('the replication is not wal or filerep');
  const plan = data['plan'];
  if (!Array.isArray(plan) || plan.length > MAX_STEPS)
    throw corrupt(`the plan is not a list of at most ${MAX_STEPS} steps`);
  plan.forEach((s, i) => {
    const problem = stepProblem(s);
    if (problem) throw corrupt(`step ${i}: ${problem}`);
  });
  const at = data['at'];
  if (!isInt(at, 0, plan.length)) throw corrupt(`the step to open at is not from 0 to ${plan.length}`);
  return { version, seed, replication, plan: plan as Step[], at };
}

/** What is wrong with a step, or undefined when it is one the explorer can run. */
export function stepProblem(s: unknown): string | undefined {
  if (!isObject(s) || typeof s['op'] !== 'string') return 'not a step';
  const ms = (v: unknown) => isInt(v, 0, 86_400_000);
  const dbid = (v: unknown) => isInt(v, 1, 100_000);
  const target = (v: unknown) => dbid(v) || (typeof v === 'string' && /^[a-z][a-z0-9-]{0,62}$/.test(v));
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
  for (let r = await reader.read(); !r.done; r = await reader.read()) if (r.value) chunks.push(r.value);
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
