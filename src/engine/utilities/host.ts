import type { SegmentConfig } from '../catalog/catalog.ts';
import type { InstanceNode, NodeSet } from '../cluster/nodes.ts';
import type { Clock, TraceEvent } from '../runtime/clock.ts';
import type { Coordinator } from '../server/coordinator.ts';
import type { Transaction } from '../txn/xact.ts';
import type { RecoveredData, RecoveryMode } from './recover-data.ts';

/** What the management utilities need of a running cluster. */
export interface UtilityHost {
  nodes: NodeSet;
  clock: Clock;
  coordinator(): Coordinator;
  /**
   * Stops an instance for a utility (immediate shutdown, as gpsegstop -M immediate): its memory
   * is lost as in a crash, but the stop is planned, so its event is 'instance.stopped' with `by`.
   */
  stopNode(node: InstanceNode, by: string): Promise<void>;
  restartNode(node: InstanceNode): Promise<void>;
  emit(e: TraceEvent & { dbid?: number }): void;
  /** Named fault points (gp_inject_fault): a utility may hold at one, as tests need. */
  reach(point: string, dbid: number): Promise<void>;
  /**
   * Recoveries running now, by target dbid: gprecoverseg's recovery_progress.file, which
   * `gpstate -e` reads ("Segments in recovery") and which is removed when the run ends.
   */
  recoveryProgress: Map<number, RecoveryProgress>;
  /** The caller asked the run to stop (Ctrl-C): long steps check it and stop cleanly. */
  cancelled(): boolean;
  /** gprecoverseg's copy onto `target` from `source`, run where the target's disk is. */
  recoverData(
    target: InstanceNode,
    source: InstanceNode,
    mode: RecoveryMode,
    progress: (done: number, total: number) => void,
  ): Promise<RecoveredData>;
}

export interface RecoveryProgress {
  content: number;
  hostname: string;
  port: number;
  type: 'full' | 'incremental' | 'differential';
  done: number;
  total: number;
}

/** Output in the shape of Greenplum's gplog lines: `prog:host:user-[LEVEL]:-message`. */
export class UtilityLog {
  readonly prog: string;
  private readonly lines: string[] = [];
  private readonly errors: string[] = [];

  constructor(prog: string) {
    this.prog = prog;
  }

  info(msg: string): void {
    this.lines.push(`${this.prog}:cdw:gpadmin-[INFO]:-${msg}`);
  }

  warn(msg: string): void {
    this.lines.push(`${this.prog}:cdw:gpadmin-[WARNING]:-${msg}`);
  }

  error(msg: string): void {
    this.lines.push(`${this.prog}:cdw:gpadmin-[ERROR]:-${msg}`);
    this.errors.push(msg);
  }

  raw(line: string): void {
    this.lines.push(line);
  }

  get stdout(): string {
    return this.lines.join('\n') + (this.lines.length ? '\n' : '');
  }

  get stderr(): string {
    return this.errors.map((e) => `${this.prog} error: ${e}`).join('\n') + (this.errors.length ? '\n' : '');
  }
}

export function pairOf(
  config: SegmentConfig[],
  content: number,
): { primary?: SegmentConfig; mirror?: SegmentConfig } {
  const rows = config.filter((c) => c.content === content);
  const out: { primary?: SegmentConfig; mirror?: SegmentConfig } = {};
  const p = rows.find((r) => r.role === 'p');
  const m = rows.find((r) => r.role === 'm');
  if (p) out.primary = p;
  if (m) out.mirror = m;
  return out;
}

/** Splits a command line as a shell would (quotes, no expansion). */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/**
 * One catalog change as a transaction on the coordinator (WAL-logged, so the standby has it),
 * then the dispatcher's view of the configuration is refreshed. Nothing of it stays if it fails.
 */
export async function updateCatalog(
  host: UtilityHost,
  write: (tx: Transaction, qd: Coordinator) => Promise<void>,
): Promise<void> {
  const qd = host.coordinator();
  const tx = qd.inst.xact.begin();
  try {
    await write(tx, qd);
  } catch (e) {
    qd.inst.xact.abort(tx);
    throw e;
  }
  await qd.inst.xact.commit(tx);
  await qd.refreshConfig();
  qd.configVersion++;
}

/** Asks FTS to probe until `done` holds of the catalog; false past the utilities' 600 s limit. */
export async function probeUntil(
  host: UtilityHost,
  done: (config: readonly SegmentConfig[]) => boolean,
): Promise<boolean> {
  const qd = host.coordinator();
  const deadline = host.clock.now() + 600_000;
  for (;;) {
    await qd.fts?.requestScan();
    await qd.refreshConfig();
    if (done(qd.config)) return true;
    if (host.clock.now() > deadline) return false;
    await host.clock.sleep(50);
  }
}
