/**
 * The coordinator (QD): the catalog, the distributed transaction manager, table locks, the
 * sessions, and the dispatcher's view of the segments (the acting primary of every content).
 */
import { SqlError, sqlError } from '../errors.ts';
import { gangFailed, gangLost } from './gang-errors.ts';
import { registerFunction } from '../sql/functions.ts';
import { SERVER_VERSION_STRING } from '../version.ts';
import { formatLsn } from '../storage/lsn.ts';
import type { ExecContext } from '../exec/context.ts';
import { Interrupts } from '../exec/interrupts.ts';
import type { Instance } from '../instance/instance.ts';
import { Catalog, type SegmentConfig } from '../catalog/catalog.ts';
import type { Clock, TraceSink } from '../runtime/clock.ts';
import type { Row } from './protocol.ts';
import type { SegmentApi } from './protocol.ts';
import type { DistributedTxManager, DtxTiming } from './dtm.ts';
import { DtxRecovery } from './dtx-recovery.ts';
import { Fts, type FtsTiming, type FtsTransport } from './fts.ts';
import type { PrimaryReplication } from '../replication/primary.ts';
import { CATALOG_CHANGE_LOCK, EXPANSION_LOCK_OWNER, LockManager } from './locks.ts';
import type { DispatchEnv } from './dispatcher.ts';
import { makeEvalContext } from './eval-context.ts';
import { fileRepSystemRelations, systemRelations, systemRows } from './system-views.ts';
import type { Session } from './session.ts';

/** How the coordinator reaches a segment instance (the runtime provides it). */
export type SegmentCaller = <K extends keyof SegmentApi>(
  dbid: number,
  method: K,
  args: Parameters<SegmentApi[K]>,
  timeoutMs?: number,
) => Promise<Awaited<ReturnType<SegmentApi[K]>>>;

export interface CoordinatorOptions {
  inst: Instance;
  /** The DTM whose state the instance's recovery rebuilt (DistributedTxManager.redoExtensions). */
  dtm: DistributedTxManager;
  clock: Clock;
  trace: TraceSink;
  callSegment: SegmentCaller;
  /** Cluster-wide setting overrides (ClusterOptions.settings). */
  settings: Record<string, string | number | boolean>;
  /** gp_segment_connect_timeout under the time scale: how long gang creation may take. */
  connectTimeoutMs?: number;
  /** How much faster than a real cluster time runs: a timing setting's wall time is value / timeScale. */
  timeScale?: number;
  /** The DTM's timings under the time scale (dtx_phase2_retry_second, gp_dtx_recovery_*). */
  dtxTiming?: Partial<DtxTiming>;
  /** Segments mirror by Greenplum 5 file replication. */
  fileRep?: boolean;
  /** Started by gpstart -m (gp_role=utility). */
  utilityOnly?: boolean;
  /**
   * The fault tolerance service's links to the segments and its timings (none in utility
   * mode); it probes once `fts.start()` is called, when the coordinator is up.
   */
  fts?: { transport: FtsTransport; timing: FtsTiming; skip?: () => boolean };
  /** Its walsender side to the standby (none in utility mode). */
  replication?: PrimaryReplication | undefined;
}

/** Session ids of looks at a simulated run (SimScheduler.observe) start here. */
const LOOK_SESSION_IDS = 900_000;

/**
 * A connection refused because the segment is not open to sessions yet, which gang creation
 * retries: Greenplum matches these two messages (segment_failure_due_to_recovery), not every
 * 57P03 (a segment shutting down is not retried).
 */
function inRecovery(e: unknown): boolean {
  return (
    e instanceof SqlError &&
    e.code === '57P03' &&
    /the database system is (starting up|in recovery mode)/.test(e.message)
  );
}

export class Coordinator {
  readonly inst: Instance;
  readonly catalog: Catalog;
  readonly dtm: DistributedTxManager;
  /** Table locks; a wait ends early when its statement is cancelled or passes lock_timeout. */
  readonly locks = new LockManager((owner) => this.sessions.get(owner)?.lockWait());
  readonly clock: Clock;
  readonly trace: TraceSink;
  readonly sessions = new Map<number, Session>();
  /** What new sessions start from: this instance's postgresql.conf as last (re)loaded. */
  settings: Record<string, string | number | boolean>;
  /** Internal parameters this server sets itself (SHOW shows them; nobody can change them). */
  readonly presetSettings: Record<string, string | number | boolean>;
  private readonly callSegment: SegmentCaller;
  /** The segment configuration as of the last catalog change (FTS, utilities). */
  config: SegmentConfig[] = [];
  connectTimeoutMs: number;
  /** Started by gpstart -m (gp_role=utility): no FTS, no dispatch, utility connections only. */
  readonly utilityOnly: boolean;
  readonly timeScale: number;
  /** Bumped whenever FTS or a utility changes the configuration. */
  configVersion = 0;
  /** The fault tolerance service (mirrored or not); none in utility mode. */
  readonly fts: Fts | undefined;
  /** The DTX recovery process, once started. */
  dtxRecovery: DtxRecovery | undefined;
  /** Segments mirror by Greenplum 5 file replication: its catalog columns and states. */
  readonly fileRep: boolean;
  /** The walsender to the standby coordinator, with the coordinator's sync rep rule. */
  readonly replication: PrimaryReplication | undefined;
  private nextSessionId = 1;

  constructor(o: CoordinatorOptions) {
    this.inst = o.inst;
    this.clock = o.clock;
    this.trace = o.trace;
    this.callSegment = o.callSegment;
    this.settings = o.settings;
    // SHOW data_checksums reports what this instance's pg_control records.
    this.presetSettings = { data_checksums: o.inst.control.dataChecksums === true };
    this.connectTimeoutMs = o.connectTimeoutMs ?? 180_000;
    this.timeScale = o.timeScale ?? 1;
    this.fileRep = o.fileRep ?? false;
    this.utilityOnly = o.utilityOnly ?? false;
    this.replication = o.replication;
    this.fts =
      o.fts && !this.utilityOnly
        ? new Fts(this, o.fts.transport, o.fts.timing, o.fts.skip, this.fileRep)
        : undefined;
    this.catalog = new Catalog(o.inst);
    this.dtm = o.dtm;
    this.dtm.attach(this, { callTimeoutMs: this.connectTimeoutMs, ...o.dtxTiming });
  }

  /** Loads the catalog state after the instance started (and recovered). */
  async open(): Promise<void> {
    await this.catalog.load();
    await this.refreshConfig();
  }

  /**
   * Starts DTX recovery (Greenplum's dtx recovery process): a first pass at once, then one every
   * gp_dtx_recovery_interval. Startup waits for the first pass, at most gp_segment_connect_timeout
   * (a content that cannot be reached is finished by a later pass; until then its transactions
   * stay invisible everywhere).
   */
  async startDtxRecovery(waitForFirstPass = true): Promise<void> {
    this.dtxRecovery?.stop();
    this.dtxRecovery = new DtxRecovery(this, this.dtm);
    const first = this.dtxRecovery.start();
    // A fresh cluster has nothing in doubt.
    if (!waitForFirstPass) return void first.catch(() => undefined);
    let timer: { cancel(): void } | undefined;
    await Promise.race([
      first.catch(() => undefined),
      new Promise<void>((resolve) => (timer = this.clock.setTimer(this.connectTimeoutMs, resolve))),
    ]);
    timer?.cancel();
  }

  /**
   * FTS changed the configuration (a mirror promoted, a content back up): DTX recovery finishes
   * the in-doubt work there; the FTS cycle waits for it at most `waitMs` (its probe timeout).
   */
  async ftsChanged(waitMs: number): Promise<void> {
    const pass = this.dtxRecovery?.pass();
    if (!pass) return;
    let timer: { cancel(): void } | undefined;
    await Promise.race([
      pass.then(
        () => undefined,
        () => undefined,
      ),
      new Promise<void>((resolve) => (timer = this.clock.setTimer(waitMs, resolve))),
    ]);
    timer?.cancel();
  }

  /**
   * Writers of gp_segment_configuration (FTS, the utilities) take turns, as Greenplum's take an
   * exclusive lock on it: two changes at once would fail one of them with 40001.
   */
  async changeConfig<T>(write: () => Promise<T>): Promise<T> {
    const prior = this.configWriter;
    let release!: () => void;
    this.configWriter = new Promise<void>((r) => (release = r));
    await prior;
    try {
      return await write();
    } finally {
      release();
    }
  }

  private configWriter: Promise<void> = Promise.resolve();

  async refreshConfig(): Promise<void> {
    const tx = this.inst.xact.begin();
    this.config = await this.catalog.segments(tx);
    for (const l of [...this.configListeners]) l();
  }

  private readonly configListeners = new Set<() => void>();

  /**
   * A call to a segment, abandoned when FTS takes that instance out of service meanwhile (the
   * dispatcher checks the FTS state while it waits, as Greenplum's does): a reply that can no
   * longer come must not hold a session forever.
   */
  private watched<T>(dbid: number, call: Promise<T>): Promise<T> {
    let listener: (() => void) | undefined;
    const lost = new Promise<never>((_, reject) => {
      listener = () => {
        const row = this.config.find((c) => c.dbid === dbid);
        if (!row || row.role !== 'p' || row.status !== 'u')
          reject(gangLost(`FTS took dbid ${dbid} out of service while a command was dispatched to it.`));
      };
      this.configListeners.add(listener);
    });
    return Promise.race([call, lost]).finally(() => this.configListeners.delete(listener!));
  }

  /** Next segment for a row of a DISTRIBUTED RANDOMLY table computed here (round robin). */
  randomTarget = 0;

  /**
   * gpexpand's setup holds the catalog (gp_expand_lock_catalog): DDL is refused until it has
   * added the new segments, so no table is created on some segments and not on others.
   */
  catalogLocked = false;

  /**
   * gp_expand_lock_catalog: catalog changes are refused from now on, and the lock is granted
   * once every transaction that already changed the catalog has ended (each holds the catalog
   * change lock in share mode to its end, see statements.ts), so none can create a table on
   * the old segments behind the setup's back.
   */
  async lockCatalogForExpansion(cancelled: () => boolean): Promise<void> {
    this.catalogLocked = true;
    let granted = false;
    let failed: unknown;
    let wake: (() => void) | undefined;
    this.locks.acquire(EXPANSION_LOCK_OWNER, CATALOG_CHANGE_LOCK, 'AccessExclusiveLock').then(
      () => {
        granted = true;
        wake?.();
      },
      (e: unknown) => {
        failed = e;
        wake?.();
      },
    );
    // Ctrl-C, or this coordinator going down, ends the wait, and nothing stays locked.
    while (!granted) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        const timer = this.clock.setTimer(100, resolve);
        wake = () => {
          timer.cancel();
          resolve();
        };
      });
      if (granted) break;
      const why =
        failed !== undefined
          ? failed
          : this.inst.state !== 'running'
            ? sqlError(
                'connection_failure',
                'the coordinator went down while gpexpand waited to lock the catalog',
              )
            : cancelled()
              ? sqlError('query_canceled', 'canceling statement due to user request')
              : undefined;
      if (why !== undefined) {
        this.unlockCatalog();
        throw why;
      }
    }
  }

  unlockCatalog(): void {
    this.catalogLocked = false;
    this.locks.releaseAll(EXPANSION_LOCK_OWNER);
  }

  /** A gpexpand run is in progress here (its pid file): a second one is refused. */
  expansionRunning = false;

  get numSegments(): number {
    return this.config.filter((c) => c.content >= 0 && c.role === 'p').length;
  }

  /**
   * The contents a table's files are on: every segment, or its first `numsegments` while
   * gpexpand has not expanded it.
   */
  tableContents(t: { numsegments: number }): number[] {
    return Array.from({ length: Math.max(1, Math.min(t.numsegments, this.numSegments)) }, (_, i) => i);
  }

  /** Acting primary dbid of every content, in content order. */
  contentDbids(): number[] {
    const out: number[] = [];
    for (const c of this.config) if (c.content >= 0 && c.role === 'p') out[c.content] = c.dbid;
    return out;
  }

  allocateSessionId(): number {
    // A look at a simulated run takes ids from its own range: the run's sessions keep theirs.
    if (this.clock.observing?.()) return LOOK_SESSION_IDS + this.nextLookSessionId++;
    return this.nextSessionId++;
  }

  private nextLookSessionId = 1;

  /**
   * Asks FTS to probe now (Greenplum's FtsNotifyProber), after a segment refused or vanished;
   * never from a look at a simulated run, which must start none of the run's work.
   */
  notifyFts(): void {
    if (!this.clock.observing?.()) this.fts?.trigger();
  }

  /** Calls the acting primary of `content`. */
  callContent<K extends keyof SegmentApi>(
    content: number,
    method: K,
    args: Parameters<SegmentApi[K]>,
    timeoutMs?: number,
  ): Promise<Awaited<ReturnType<SegmentApi[K]>>> {
    const dbid = this.contentDbids()[content];
    if (dbid === undefined) throw sqlError('internal_error', `no primary for content ${content}`);
    return this.watched(dbid, this.callSegment(dbid, method, args, timeoutMs));
  }

  /**
   * A dispatch call (gang creation and execution): a segment that cannot be reached gives
   * Greenplum's "failed to acquire resources on one or more segments", naming the segment.
   */
  async dispatchCall<K extends keyof SegmentApi>(
    content: number,
    method: K,
    args: Parameters<SegmentApi[K]>,
    session?: Session,
  ): Promise<Awaited<ReturnType<SegmentApi[K]>>> {
    try {
      if (session) await this.ensureGang(session, content);
      return await this.callContent(content, method, args);
    } catch (e) {
      // A lost connection; not a gang error already (they are not 08006).
      if (!(e instanceof SqlError) || e.code !== '08006') throw e;
      this.notifyFts();
      const row = this.config.find((c) => c.content === content && c.role === 'p');
      throw gangFailed(
        `${e.message}${e.detail ? `\n\t${e.detail}` : ''} (seg${content} ${row?.hostname ?? '?'}:${row?.port ?? '?'})`,
      );
    }
  }

  /**
   * Gang creation: the first dispatch of a session to a content (again after that content's
   * primary changed) must get an answer within gp_segment_connect_timeout.
   */
  private async ensureGang(session: Session, content: number): Promise<void> {
    for (let retry = 0; ; retry++) {
      const dbid = this.contentDbids()[content];
      if (dbid === undefined || session.gangs.get(content) === dbid) return;
      try {
        await this.watched(dbid, this.callSegment(dbid, 'ping', [], this.connectTimeoutMs));
        session.gangs.set(content, dbid);
        return;
      } catch (e) {
        // A segment still in recovery (a promotion finishing, a restart replaying its WAL) is
        // tried again gp_gang_creation_retry_count times, gp_gang_creation_retry_timer apart.
        if (!inRecovery(e)) throw e;
        // (A look at a simulated run from outside cannot wait for the run: no retry.)
        const retries = this.clock.observing?.()
          ? 0
          : session.settings.gucs.get<number>('gp_gang_creation_retry_count');
        if (retry >= retries) throw gangFailed('Segments are in reset/recovery mode.');
        // The first retry asks FTS for a fresh look at the configuration.
        if (retry === 0) this.notifyFts();
        await session.sleep(
          session.settings.gucs.getScaledMs('gp_gang_creation_retry_timer', this.timeScale),
        );
      }
    }
  }

  /** The segment's name as error texts give it: `seg0 sdw1:6000`. */
  segmentName(content: number): string {
    const row = this.config.find((c) => c.content === content && c.role === 'p');
    return `seg${content} ${row?.hostname ?? '?'}:${row?.port ?? '?'}`;
  }

  /**
   * What the dispatcher needs. `numSegments` is the count the plan was made with: a statement
   * planned before gpexpand added segments runs on the segments it planned for.
   */
  dispatchEnv(session: Session | undefined, numSegments = this.numSegments): DispatchEnv {
    return {
      numSegments: Math.min(numSegments, this.numSegments),
      contentDbids: this.contentDbids(),
      call: (content, method, args) => this.dispatchCall(content, method, args, session),
      localContext: (received) => this.localContext(received, session),
      ...(session?.interrupts ? { interrupts: session.interrupts, limits: session.statementLimits() } : {}),
    };
  }

  localContext(received: (sliceId: number) => Row[][], session: Session | undefined): ExecContext {
    const statementTime = session?.statementTime ?? 0;
    const evalContext = makeEvalContext(statementTime, this.clock, this);
    if (session) evalContext.backendPid = session.pid;
    return {
      eval: evalContext,
      interrupts: session?.interrupts ?? new Interrupts(this.clock),
      content: -1,
      instance: this.inst,
      received,
      systemRows: (name) => systemRows(this, name),
    };
  }

  systemRelations() {
    return this.fileRep ? fileRepSystemRelations : systemRelations;
  }
}

// Server functions a session can call.
registerFunction(
  'pg_cancel_backend',
  ['int4'],
  'bool',
  (args, ctx) => {
    // Only sessions of the coordinator this runs on can be reached.
    const sessions = (ctx.server as { sessions?: Map<number, Session> } | undefined)?.sessions;
    const pid = args[0];
    const target = sessions && [...sessions.values()].find((s) => s.pid === pid);
    if (!target) return false;
    target.requestCancel();
    return true;
  },
  { volatile: true },
);
registerFunction('version', [], 'text', () => SERVER_VERSION_STRING, { volatile: true });
registerFunction('pg_backend_pid', [], 'int4', (_args, ctx) => ctx.backendPid ?? null, { volatile: true });
registerFunction(
  'pg_current_wal_lsn',
  [],
  'text',
  (_args, ctx) => {
    const server = ctx.server as { inst: Instance } | undefined;
    return server ? formatLsn(server.inst.wal.insertLsn) : null;
  },
  { volatile: true },
);
