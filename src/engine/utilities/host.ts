import { expandWords } from './shell-builtins.ts';
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { ClusterNode, NodeSet } from '../node/nodes.ts';
import { instanceOf } from '../node/process.ts';
import type { CoordinatorStart } from '../node/boot.ts';
import type { Clock } from '../runtime/clock.ts';
import type { ClusterEvent } from '../runtime/events.ts';
import type { Coordinator } from '../server/coordinator.ts';
import type { Transaction } from '../txn/xact.ts';
import type { RecoveredData, RecoveryMode } from './recover-data.ts';
import type { UtilityResult } from '../node/api.ts';
import {
  HelpRequested,
  OptionError,
  optionsHelp,
  parseOptions,
  type OptionSpec,
  type OptionValues,
} from './options.ts';

/** What the management utilities need of a running cluster. */
export interface UtilityHost {
  nodes: NodeSet;
  clock: Clock;
  coordinator(): Coordinator;
  /**
   * Stops an instance for a utility (immediate shutdown, as gpsegstop -M immediate): its memory
   * is lost as in a crash, but the stop is planned, so its event is 'instance.stopped' with `by`.
   */
  stopNode(node: ClusterNode, by: string): Promise<void>;
  /** Starts it again; a coordinator as gpstart -m (utility mode) or -R (restricted) asks. */
  restartNode(node: ClusterNode, how?: CoordinatorStart): Promise<void>;
  emit(e: ClusterEvent): void;
  /** Named fault points (gp_inject_fault): a utility may hold at one, as tests need. */
  reach(point: string, dbid: number): Promise<void>;
  /**
   * Recoveries running now, by target dbid: gprecoverseg's recovery_progress.file, which
   * `gpstate -e` reads ("Segments in recovery") and which is removed when the run ends.
   */
  recoveryProgress: Map<number, RecoveryProgress>;
  /** The caller asked the run to stop (Ctrl-C): long steps check it and stop cleanly. */
  cancelled(): boolean;
  /**
   * A text file in an instance's data directory, running or not (postgresql.conf,
   * gpexpand.status): with `text`, replaced durably first; with null, removed first.
   */
  dataFile(node: ClusterNode, file: string, text?: string | null): Promise<string | undefined>;
  /** gprecoverseg's copy onto `target` from `source`, run where the target's disk is. */
  recoverData(
    target: ClusterNode,
    source: ClusterNode,
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

/** Standard input ran out before a question was answered (Python's EOFError). */
export class UserInputError extends Error {}

/** gppylib's ProgramArgumentValidationException: logged as `prog: error: …`, exit 2. */
export class ProgramArgumentError extends Error {}

/** gppylib's ExceptionNoStackTraceNeeded: logged as `prog error: …`, exit 2. */
export class NoStackTraceError extends Error {}

/**
 * How simple_main reports what a program raised: an argument error or a "no stack trace"
 * exception at ERROR, anything else at CRITICAL as "prog failed. (Reason='…') exiting...";
 * each exits 2.
 */
export function logFailure(log: UtilityLog, e: Error): UtilityResult {
  if (e instanceof ProgramArgumentError) log.error(`${log.prog}: error: ${e.message}`);
  else if (e instanceof NoStackTraceError) log.error(`${log.prog} error: ${e.message}`);
  else log.critical(`${log.prog} failed. (Reason='${e.message}') exiting...`);
  return log.done(2);
}

/** Output in the shape of Greenplum's gplog lines: `prog:host:user-[LEVEL]:-message`. */
export class UtilityLog {
  readonly prog: string;
  /** The host the program runs on, as its lines name it: cdw, or scdw once the standby took over. */
  readonly host: string;
  /** -q: INFO lines are left off the screen (warnings and errors still show). */
  quiet = false;
  /** -v / -D: DEBUG lines too (the commands run on each instance). */
  verbose = false;
  /** Progress lines of copies (gprecoverseg --no-progress turns them off). */
  showProgress = true;
  private readonly lines: string[] = [];
  /** Lines piped to the program's standard input (`printf 'n\n' | gprecoverseg`), if any. */
  private readonly answers: string[] | undefined;

  constructor(prog: string, host = 'cdw', stdin?: string) {
    this.prog = prog;
    this.host = host;
    if (stdin !== undefined) {
      this.answers = stdin.split('\n');
      if (this.answers.at(-1) === '') this.answers.pop();
    }
  }

  /** Answers were piped in: questions read them instead of taking the lab's own. */
  get piped(): boolean {
    return this.answers !== undefined;
  }

  /**
   * Asks `prompt` and returns the answer, printed after `> ` as the terminal shows it: the next
   * piped line (asked again after an invalid one, as raw_input loops), or without a pipe the
   * lab's own answer `own`, the one a person at the terminal would give to go on.
   */
  ask(prompt: string, own: string, valid: (a: string) => boolean = () => true): string {
    for (;;) {
      this.raw(prompt);
      const a = this.answers ? this.answers.shift() : own;
      if (a === undefined) throw new UserInputError('EOF when reading a line');
      this.raw(`> ${a}`);
      if (valid(a.trim())) return a.trim();
      this.raw(`Invalid input: '${a}'`);
      this.raw('');
    }
  }

  /** gppylib's ask_yesno with default N: true for y / yes. */
  confirm(question: string): boolean {
    this.raw('');
    const a = this.ask(`${question} Yy|Nn (default=N):`, 'y', (x) => /^(y|yes|n|no|)$/i.test(x));
    return /^y(es)?$/i.test(a);
  }

  /** simple_main's answer to a "no" (UserAbortedException): logged at INFO, exit 4. */
  userAborted(): UtilityResult {
    this.line('INFO', 'User abort requested, Exiting...');
    return this.done(4);
  }

  private line(level: string, msg: string): void {
    this.lines.push(`${this.prog}:${this.host}:gpadmin-[${level}]:-${msg}`);
  }

  info(msg: string): void {
    if (!this.quiet) this.line('INFO', msg);
  }

  debug(msg: string): void {
    if (this.verbose) this.line('DEBUG', msg);
  }

  warn(msg: string): void {
    this.line('WARNING', msg);
  }

  /** gplog writes every level to standard output: an error is not repeated on stderr. */
  error(msg: string): void {
    this.line('ERROR', msg);
  }

  critical(msg: string): void {
    this.line('CRITICAL', msg);
  }

  raw(line: string): void {
    this.lines.push(line);
  }

  get stdout(): string {
    return this.lines.join('\n') + (this.lines.length ? '\n' : '');
  }

  /** The run's result: what was logged, and the exit code. */
  done(exitCode: number): UtilityResult {
    return { exitCode, stdout: this.stdout, stderr: '' };
  }
}

export function pairOf(
  config: readonly SegmentConfig[],
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

/**
 * The acting primary of `content` as the catalog has it, if it also runs as a primary: FTS
 * records a promotion before a file-replication mirror has started its instance, and a copy
 * cannot start from a mirror whose PROMOTE has not arrived. An instance in this thread shows
 * it (a passive mirror has no instance); one in another process is asked.
 */
export async function runningPrimary(
  host: UtilityHost,
  config: readonly SegmentConfig[],
  content: number,
): Promise<SegmentConfig | undefined> {
  const { primary } = pairOf(config, content);
  const node = primary ? host.nodes.get(primary.dbid) : undefined;
  if (!primary || primary.status !== 'u' || !node?.up) return undefined;
  if (node.kind === 'local') return instanceOf(node.process) ? primary : undefined;
  if (!host.coordinator().fileRep) return primary;
  const coordinator = config.find((c) => c.content === -1 && c.role === 'p');
  if (!coordinator) return undefined;
  const status = await host.nodes
    .call(coordinator.dbid, primary.dbid, 'filerepStatus', [], PROCESS_ASK_TIMEOUT_MS)
    .catch(() => undefined);
  return status?.role === 'primary' ? primary : undefined;
}

/** How long a utility waits for another process to say what it runs as. */
const PROCESS_ASK_TIMEOUT_MS = 5_000;

/** Splits a command line as a shell would (quotes, no expansion). */
export function splitArgs(line: string): string[] {
  return expandWords(new Map(), line);
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
  await qd.changeConfig(async () => {
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
  });
}

/**
 * gprecoverseg's and gpaddmirrors' last step: two FTS probe scans, as Greenplum runs them (a
 * first one may return before its probes are done). There `pg_ctl -w` has returned once each
 * mirror is up and its walreceiver connects at once, so the scans find it. Here the primary's
 * walsender connects to a mirror it was just told of, and that takes a few messages: scans go
 * on, an FTS retry interval apart and for at most one probe timeout, until FTS has seen every
 * mirror in `started` up, so that the utility does not exit with them still marked down.
 */
export async function triggerFtsProbe(
  host: UtilityHost,
  log: UtilityLog,
  started: readonly SegmentConfig[],
): Promise<void> {
  const qd = host.coordinator();
  log.info('Triggering FTS probe');
  if (!qd.fts) return;
  await qd.fts.requestScan();
  await qd.fts.requestScan();
  const deadline = host.clock.now() + qd.fts.timing.timeoutMs;
  const down = () => started.some((m) => qd.config.find((c) => c.dbid === m.dbid)?.status === 'd');
  await qd.refreshConfig();
  while (down() && host.clock.now() < deadline) {
    await host.clock.sleep(qd.fts.timing.retryWaitMs);
    await qd.fts.requestScan();
    await qd.refreshConfig();
  }
}

/** Asks FTS to probe until `done` holds of the catalog; false past the utilities' 600 s limit. */
export async function probeUntil(
  host: UtilityHost,
  done: (config: readonly SegmentConfig[]) => boolean | Promise<boolean>,
): Promise<boolean> {
  const qd = host.coordinator();
  const deadline = host.clock.now() + 600_000;
  for (;;) {
    await qd.fts?.requestScan();
    await qd.refreshConfig();
    if (await done(qd.config)) return true;
    if (host.clock.now() > deadline) return false;
    await host.clock.sleep(50);
  }
}

/** Greenplum's limits on -B (hosts worked on at once) and -b (segments at once per host). */
export const MAX_BATCH_SIZE = 64;
export const MAX_SEGMENT_BATCH_SIZE = 128;
export const DEFAULT_BATCH_SIZE = 16;
export const DEFAULT_SEGMENT_BATCH_SIZE = 64;

/**
 * The -B / -b values a utility was given, checked as Greenplum checks them (each utility names
 * the two settings its own way); undefined if fine.
 */
export function checkBatchSizes(
  opts: { B?: unknown; b?: unknown },
  hostsName = 'batch_size',
  perHostName = 'segment_batch_size',
): string | undefined {
  const B = opts.B as number | undefined;
  const b = opts.b as number | undefined;
  if (B !== undefined && (B < 1 || B > MAX_BATCH_SIZE))
    return `Invalid ${hostsName} value provided with -B argument: ${B}`;
  if (b !== undefined && (b < 1 || b > MAX_SEGMENT_BATCH_SIZE))
    return `Invalid ${perHostName} value provided with -b argument: ${b}`;
  return undefined;
}

/** A command-line mistake: optparse's usage line and message, exit 2, nothing changed. */
export function usageError(prog: string, message: string): UtilityResult {
  return {
    exitCode: 2,
    stdout: '',
    stderr: `Usage: ${prog} [--help] [options] \n\n${prog}: error: ${message}\n`,
  };
}

/** A utility's options, or the usage error it answers with. */
export type UtilityArgs = { ok: true; o: OptionValues } | { ok: false; result: UtilityResult };

/**
 * Reads a utility's command line by `specs`, as optparse does. Stray arguments are refused
 * (`positional` words the refusal, Greenplum's own for most utilities); `check` adds the
 * utility's refusals of values that parse but cannot work.
 */
/**
 * Options every utility shares that the lab cannot honour, refused rather than ignored: it keeps
 * no log files (the output is the whole log) and has no pg_hba.conf.
 */
function notInTheLab(o: OptionValues): string | undefined {
  if (o['l'] !== undefined)
    return '-l: the lab writes no log files (the output shown is the whole log); leave -l out';
  if (o['hba-hostnames'] !== undefined)
    return '--hba-hostnames: the lab has no pg_hba.conf to write host names into; leave it out';
  return undefined;
}

export function utilityArgs(
  prog: string,
  specs: readonly OptionSpec[],
  argv: readonly string[],
  more: {
    positional?: (args: string[]) => string;
    check?: (o: OptionValues) => string | undefined;
    /** Takes -q (quiet) and -v / -D (verbose) from the options. */
    log?: UtilityLog;
  } = {},
): UtilityArgs {
  try {
    const parsed = parseOptions(specs, argv);
    if (parsed.positional.length)
      throw new OptionError(
        more.positional?.(parsed.positional) ?? 'too many arguments: only options may be specified',
      );
    const refused = notInTheLab(parsed.values) ?? more.check?.(parsed.values);
    if (refused) throw new OptionError(refused);
    if (more.log) {
      more.log.quiet = parsed.values['q'] === true;
      more.log.verbose = parsed.values['v'] === true || parsed.values['D'] === true;
    }
    return { ok: true, o: parsed.values };
  } catch (e) {
    if (e instanceof OptionError) return { ok: false, result: usageError(prog, e.message) };
    if (e instanceof HelpRequested)
      return {
        ok: false,
        result: {
          exitCode: 0,
          stdout: `Usage: ${prog} [--help] [options] \n\n${optionsHelp(specs)}\n`,
          stderr: '',
        },
      };
    throw e;
  }
}

/**
 * Runs `work` on each item as Greenplum's utilities do: up to `hosts` hosts at once (-B), and
 * on each host up to `perHost` items at once (-b). Resolves when every item is done; one
 * item's failure is its own (`work` reports it), the others go on.
 */
export async function runBatched<T>(
  items: readonly T[],
  hostOf: (item: T) => string,
  limits: BatchLimits,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const byHost = new Map<string, T[]>();
  for (const it of items) byHost.set(hostOf(it), [...(byHost.get(hostOf(it)) ?? []), it]);
  const hostQueue = [...byHost.values()];
  const runHost = async (queue: T[]) => {
    const lane = async () => {
      for (let it = queue.shift(); it !== undefined; it = queue.shift()) await work(it);
    };
    await Promise.all(Array.from({ length: Math.min(limits.perHost, queue.length) }, lane));
  };
  const hostLane = async () => {
    for (let q = hostQueue.shift(); q !== undefined; q = hostQueue.shift()) await runHost(q);
  };
  await Promise.all(Array.from({ length: Math.min(limits.hosts, hostQueue.length) }, hostLane));
}

/** How many hosts (-B) and segments per host (-b) a utility works on at once. */
export interface BatchLimits {
  hosts: number;
  perHost: number;
}

/** An instance's host, address, directory and port, as programIoUtils lists them for a plan. */
export function instanceRows(
  label: string,
  seg: { hostname: string; address: string; datadir: string; port: number },
): [string, string][] {
  return [
    [`${label} instance host`, seg.hostname],
    [`${label} instance address`, seg.address],
    [`${label} instance directory`, seg.datadir],
    [`${label} instance port`, String(seg.port)],
  ];
}

/** gppylib's TableLogger: `label = value` rows at INFO, indented, the labels padded to one width. */
export function logTable(log: UtilityLog, rows: readonly (readonly [string, string])[], width = 0): void {
  const w = Math.max(width, ...rows.map(([label]) => label.length + 3));
  for (const [label, value] of rows) log.info(`   ${label.padEnd(w)}= ${value}`);
}

/** The -B / -b limits a run uses: the options given, else Greenplum's defaults. */
export function batchLimits(opts: { B?: unknown; b?: unknown }): BatchLimits {
  return {
    hosts: (opts.B as number | undefined) ?? DEFAULT_BATCH_SIZE,
    perHost: (opts.b as number | undefined) ?? DEFAULT_SEGMENT_BATCH_SIZE,
  };
}

/**
 * -d names the coordinator's data directory (COORDINATOR_DATA_DIRECTORY): one that is not the
 * coordinator's is refused, as Greenplum fails to read its configuration there.
 */
export function wrongCoordinatorDir(o: OptionValues, config: readonly SegmentConfig[]): string | undefined {
  const dir = o['d'] as string | undefined;
  const coordinator = config.find((r) => r.content === -1 && r.role === 'p');
  if (dir === undefined || !coordinator || dir === coordinator.datadir) return undefined;
  return `could not read the coordinator configuration: ${dir}/postgresql.conf does not exist (the coordinator data directory is ${coordinator.datadir})`;
}
