/**
 * What a cluster reports as it runs, by kind: the events its instances trace (storage,
 * recovery, replication, links, FTS, DTX recovery) and those its runtime and utilities emit
 * (instances up and down, promotions, copies, utility runs). `cluster.subscribe` delivers them
 * with the time and, for an instance's own events, its dbid. One typed union, so a consumer
 * (the lab's log and news, the worker runtime's saved topology, a test) switches on `kind` and
 * reads fields the compiler knows.
 */

/** An LSN as Postgres prints it (X/Y). */
type LsnText = string;

/** What an instance traces (its dbid is added where it reaches the cluster). */
export type TraceEvent =
  | { kind: 'checkpoint'; redo: LsnText; at: LsnText; shutdown: boolean; removed: number }
  | { kind: 'restartpoint'; at: LsnText }
  | { kind: 'recovery.start'; redo: LsnText; clean: boolean; standby: boolean }
  | { kind: 'recovery.done'; end: LsnText; records: number; stop: string; aborted: number }
  | { kind: 'promote'; timeline: number; at: LsnText; prevTimeline: number }
  | { kind: 'panic'; message: string }
  | { kind: 'checksum.failure'; file: string; block: number }
  | { kind: 'standby.replaying'; at: LsnText }
  | { kind: 'walsender.connected'; from: LsnText }
  | { kind: 'walsender.disconnected'; reason: string }
  | { kind: 'walsender.unreachable'; reason: string }
  | { kind: 'slot.lost'; slot: string }
  | { kind: 'syncrep.on' }
  | { kind: 'syncrep.off' }
  | { kind: 'link.timeout'; peer: string; method: string; timeoutMs: number }
  | { kind: 'link.closed'; peer: string; reason: string; pending: number }
  | { kind: 'link.drop'; from: number | string; to: number | string }
  | { kind: 'fts.cycle'; cycle: number; changed: number; stale?: boolean }
  | { kind: 'fts.failover'; content: number; from: number; to: number; reason: string }
  | { kind: 'fts.promote'; content: number; dbid: number }
  | { kind: 'fts.double_fault'; content: number; primary: number; mirror: number }
  | { kind: 'fts.mirror_down'; content: number; dbid: number }
  /** `wasDown`: its status was d (it is back); otherwise only its mode changed (it caught up). */
  | { kind: 'fts.mirror_up'; content: number; dbid: number; mode: 's' | 'n' | 'c' | 'r'; wasDown: boolean }
  | { kind: 'fts.skip_mirror_down'; content: number; dbid: number; reason: 'retryRequested' }
  | { kind: 'dtx.recovery'; committed: number; aborted: number; unreachable: number[] };

/** What a runtime or a utility emits about an instance or a run. */
export type NodeEvent =
  | {
      kind: 'instance.up';
      dbid: number;
      role: 'coordinator' | 'standby' | 'primary' | 'mirror';
      recovery: unknown;
    }
  | { kind: 'instance.crash'; dbid: number }
  | { kind: 'instance.stopped'; dbid: number; by: string }
  | { kind: 'instance.promoted'; dbid: number; timeline: number }
  | { kind: 'instance.refused'; dbid: number; reason: string }
  | { kind: 'standby.activated'; dbid: number; timeline: number }
  | { kind: 'utility.start'; command: string }
  | { kind: 'utility.done'; command: string; exitCode: number }
  | { kind: 'recovery.progress'; dbid: number; done: number; total: number; type: string }
  | { kind: 'recovery.bytes'; dbid: number; type: string; bytes: number; total?: number }
  | { kind: 'filerep.resync'; dbid: number; mirror: number; full: boolean }
  | { kind: 'filerep.synchronized'; dbid: number; mirror: number; blocks: number }
  | { kind: 'config.reload'; dbid: number; applied: string[]; pendingRestart: string[]; errors: string[] };

/** An event as a subscriber gets it: when, and which instance it is about. */
export type ClusterEvent = (TraceEvent | NodeEvent) & { time?: number; dbid?: number };

export type EventKind = ClusterEvent['kind'];

/** The event of a kind. */
export type EventOf<K extends EventKind> = Extract<ClusterEvent, { kind: K }>;
