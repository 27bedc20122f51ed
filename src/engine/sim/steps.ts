/**
 * The explorer's steps: plain data, so a failing run prints as a reproduction that a test can
 * replay. A plan is drawn from its seed alone (not from the run), so removing steps while
 * shrinking leaves the others as they were.
 */
import { seededRandom } from '../runtime/sim.ts';

/** A fault that strikes while a workload step runs, `afterMs` of virtual time into it. */
export interface DuringFault {
  op: 'crash' | 'restart';
  target: number | string;
  afterMs: number;
}

export type Step =
  /** `n` concurrent bank transfers, with a reader summing the balances alongside. */
  | { op: 'transfers'; n: number; salt: number; during?: DuringFault }
  /** `n` concurrent autocommit appends to the register (one key each). */
  | { op: 'appends'; n: number; salt: number; during?: DuringFault }
  /** CREATE TABLE ddl_<id> and a row in it; every third one drops an earlier table. */
  | { op: 'ddl'; id: number }
  | { op: 'crash'; target: number | string }
  | { op: 'restart'; target: number | string }
  | { op: 'partition'; a: string[]; b: string[] }
  | { op: 'heal' }
  | { op: 'delay'; dbid: number; ms: number }
  | { op: 'slowDisk'; dbid: number; ms: number }
  | { op: 'diskFull'; dbid: number; full: boolean }
  /** The acting coordinator crashes and the standby is activated (gpactivatestandby). */
  | { op: 'coordinatorFailover' }
  /** A new standby on the free coordinator host (gpinitstandby -s). */
  | { op: 'initStandby' }
  | { op: 'recoverseg'; flags: '' | '-F' | '--differential' | '-r' }
  /** gpaddmirrors on a cluster started without mirrors (group, or -s spread). */
  | { op: 'addMirrors'; spread: boolean }
  /**
   * gpexpand onto `hosts` new hosts (sdw4...; spread needs more than segments per host): the
   * interview and setup the first time, redistribution of the tables (perhaps with a fault in
   * the middle) after that.
   */
  | { op: 'expand'; hosts: number; during?: DuringFault }
  /** Planned maintenance: gpstop -r (a restart in some mode), gpstop --host, gpstop -u. */
  | { op: 'maintenance'; command: string }
  | { op: 'wait'; ms: number }
  /**
   * `ms` of virtual time pass under load: `clients` bank clients each run transfers one after
   * another (a recorded run's "wait under the bank workload"); the step ends when they have.
   */
  | { op: 'load'; clients: number; ms: number; salt: number }
  /**
   * A person's SQL in a recorded run: on a session of its own, or on the run's session
   * `session` (a console's, kept open across steps); `dbid` for a utility-mode session.
   */
  | { op: 'sql'; text: string; session?: number; dbid?: number }
  /** A recorded run's session closed. */
  | { op: 'disconnect'; session: number }
  /** A person's utility command line in a recorded run (gprecoverseg -a, gpstate -e, ...). */
  | { op: 'utility'; command: string };

/**
 * The cluster a run starts from, with a standby. The explorer draws 2 hosts × 2 segments
 * group-mirrored, 3 × 2 spread, or 3 × 2 without mirrors (which a plan's addMirrors step adds);
 * a recorded run may carry any shape its format accepts.
 */
export interface Shape {
  mirroring: 'group' | 'spread' | 'none';
  hosts: string[];
  segmentsPerHost: number;
}

export const SEGMENT_HOSTS = ['sdw1', 'sdw2', 'sdw3'];

/** The explorer's three clusters, by mirroring (a recorded run may start from any of them). */
export const SHAPES: Readonly<Record<Shape['mirroring'], Shape>> = {
  group: { mirroring: 'group', hosts: ['sdw1', 'sdw2'], segmentsPerHost: 2 },
  spread: { mirroring: 'spread', hosts: SEGMENT_HOSTS, segmentsPerHost: 2 },
  none: { mirroring: 'none', hosts: SEGMENT_HOSTS, segmentsPerHost: 2 },
};

export function shapeFor(seed: number): Shape {
  const x = seededRandom(seed ^ 0x5eed)();
  const s = SHAPES[x < 0.45 ? 'group' : x < 0.9 ? 'spread' : 'none'];
  return { ...s, hosts: [...s.hosts] };
}

/**
 * dbids as gpinitsystem numbers them: 1 the coordinator, then primaries, mirrors, the standby.
 * Without mirrors the standby follows the primaries, and gpaddmirrors' mirrors come after it.
 */
export function dbidsOf(shape: Shape): { segments: number[]; standby: number } {
  const n = shape.hosts.length * shape.segmentsPerHost;
  if (shape.mirroring === 'none') return { segments: [...range(2, n), ...range(n + 3, n)], standby: n + 2 };
  return { segments: range(2, 2 * n), standby: 2 * n + 2 };
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

const WEIGHTS: [Step['op'], number][] = [
  ['transfers', 22],
  ['appends', 18],
  ['ddl', 4],
  ['crash', 8],
  ['restart', 8],
  ['partition', 3],
  ['heal', 5],
  ['delay', 3],
  ['slowDisk', 2],
  ['diskFull', 2],
  ['coordinatorFailover', 2],
  ['initStandby', 2],
  ['recoverseg', 10],
  ['addMirrors', 2],
  ['wait', 11],
];

/** The plan of a seed: `count` steps drawn from the seed alone. */
export function generatePlan(seed: number, count: number): Step[] {
  const shape = shapeFor(seed);
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const total = WEIGHTS.reduce((n, [, w]) => n + w, 0);
  const { segments, standby } = dbidsOf(shape);
  const instances = [1, ...segments, standby];
  const allHosts = ['cdw', ...shape.hosts, 'scdw'];
  const steps: Step[] = [];
  let ddl = 0;
  for (let i = 0; i < count; i++) {
    let x = r() * total;
    let op: Step['op'] = 'wait';
    for (const [o, w] of WEIGHTS) {
      if ((x -= w) < 0) {
        op = o;
        break;
      }
    }
    const salt = Math.floor(r() * 1e9);
    // A fault in the middle of a workload, drawn from the salt (the plan's own draws stay as they were).
    const during = (): { during?: DuringFault } => {
      const d = seededRandom(salt ^ 0x0d0e);
      if (d() >= 0.3) return {};
      const target = d() < 0.3 ? pick2(d, shape.hosts) : pick2(d, d() < 0.8 ? segments : instances);
      return { during: { op: d() < 0.8 ? 'crash' : 'restart', target, afterMs: Math.floor(d() * 40) } };
    };
    switch (op) {
      case 'transfers':
        steps.push({ op, n: 1 + Math.floor(r() * 4), salt, ...during() });
        break;
      case 'appends':
        steps.push({ op, n: 1 + Math.floor(r() * 6), salt, ...during() });
        break;
      case 'ddl':
        steps.push({ op, id: ++ddl });
        break;
      case 'crash':
      case 'restart':
        steps.push({ op, target: r() < 0.15 ? pick(shape.hosts) : pick(r() < 0.8 ? segments : instances) });
        break;
      case 'partition': {
        const side = pick(allHosts);
        steps.push({ op, a: [side], b: allHosts.filter((h) => h !== side) });
        break;
      }
      case 'heal':
        steps.push({ op });
        break;
      case 'delay':
        steps.push({ op, dbid: pick(instances), ms: r() < 0.3 ? 0 : Math.floor(r() * 2000) });
        break;
      case 'slowDisk':
        steps.push({ op, dbid: pick(segments), ms: r() < 0.3 ? 0 : Math.floor(r() * 500) });
        break;
      case 'diskFull':
        steps.push({ op, dbid: pick(segments), full: r() < 0.6 });
        break;
      case 'coordinatorFailover':
      case 'initStandby':
        steps.push({ op });
        break;
      case 'recoverseg':
        steps.push({ op, flags: pick(['', '', '-F', '--differential', '-r'] as const) });
        break;
      case 'wait': {
        const ms = pick([1_000, 30_000, 90_000, 300_000]);
        // A quarter of the waits are planned maintenance instead, drawn from the salt so that
        // the plan's other steps stay what they were before maintenance steps existed.
        const m = seededRandom(salt ^ 0x57a7);
        // Some are gpexpand's phases, drawn the same way (after maintenance steps existed).
        const e = seededRandom(salt ^ 0xe4a1);
        if (m() < 0.25) steps.push({ op: 'maintenance', command: pick2(m, maintenance(shape)) });
        else if (e() < 0.08) {
          const hosts = shape.mirroring === 'spread' ? 3 : 2;
          steps.push({ op: 'expand', hosts, ...duringExpansion(shape, hosts, salt) });
        } else steps.push({ op, ms });
        break;
      }
      case 'addMirrors':
        steps.push({ op, spread: r() < 0.5 });
        break;
    }
  }
  return steps;
}

/**
 * A fault in the middle of a gpexpand phase: as often on what it adds (a new host, a new
 * primary or mirror, which may not exist yet and is then refused) as on the old instances.
 */
function duringExpansion(shape: Shape, hosts: number, salt: number): { during?: DuringFault } {
  const d = seededRandom(salt ^ 0x0e4a);
  if (d() >= 0.5) return {};
  // The dbids gpexpand hands out after the array's (a mirrorless shape's, as long as no
  // gpaddmirrors step has given it mirrors: then these name instances that do not exist).
  const n = shape.hosts.length * shape.segmentsPerHost;
  const perNew = hosts * shape.segmentsPerHost;
  const added = shape.mirroring === 'none' ? range(n + 3, perNew) : range(2 * n + 3, 2 * perNew);
  const newHosts = Array.from({ length: hosts }, (_, i) => `sdw${4 + i}`);
  const x = d();
  const target = x < 0.2 ? pick2(d, newHosts) : x < 0.6 ? pick2(d, added) : pick2(d, dbidsOf(shape).segments);
  return { during: { op: d() < 0.8 ? 'crash' : 'restart', target, afterMs: Math.floor(d() * 2000) } };
}

/** gpstop as a DBA runs it for planned work: restarts in each mode, a host out, a reload. */
function maintenance(shape: Shape): string[] {
  return [
    'gpstop -a -r -M fast',
    'gpstop -a -r -M immediate',
    'gpstop -a -r -M smart',
    'gpstop -u',
    ...shape.hosts.map((h) => `gpstop -a -M fast --host ${h}`),
  ];
}

function pick2<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

export function describeStep(s: Step): string {
  const { op, ...rest } = s;
  const show = (v: unknown): string =>
    Array.isArray(v)
      ? v.join(',')
      : typeof v === 'object' && v !== null
        ? `${(v as DuringFault).op}:${(v as DuringFault).target}@${(v as DuringFault).afterMs}ms`
        : String(v);
  const args = Object.entries(rest)
    .map(([k, v]) => `${k}=${show(v)}`)
    .join(' ');
  return args ? `${op} ${args}` : op;
}
