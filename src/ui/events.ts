import type { Cluster, ClusterOptions, SharedRun, Step } from '../workers/index.ts';

/**
 * The lab's DOM events. Every one bubbles and is composed, carries an `mpp-` prefix, and is
 * typed here by augmenting HTMLElementEventMap.
 */

export interface InstanceSelectDetail {
  dbid: number | undefined;
  /** Closed from the details panel by keyboard: focus goes back to this instance's card. */
  refocus?: number;
}

/** A request to open the SQL console on a target (coordinator or a utility-mode instance). */
export interface ConsoleOpenDetail {
  dbid: number | undefined;
  sql?: string;
}

export interface WorkloadChangeDetail {
  running: boolean;
  rate: number;
  sessions: number;
}

export interface LessonChangeDetail {
  lesson: string;
}

/** The open lesson step talks about these instances: the topology points at their cards. */
export interface LessonPointDetail {
  dbids: number[];
  /** Bring this card into view and focus it (the learner asked where it is). */
  reveal?: number;
}

/** A lesson asks the lab for a new cluster of this shape; `reply` receives the boot's promise. */
export interface LabConfigureDetail {
  hosts: string;
  mirroring: 'none' | 'group' | 'spread';
  segmentsPerHost?: number;
  /** How mirrors are kept: WAL streaming (default) or Greenplum 5 file replication. */
  replication?: 'wal' | 'filerep';
  /** A standby coordinator (default true). */
  standby?: boolean;
  /** Hand-placed mirrors: a gpaddmirrors -i file the lab runs once the mirrorless cluster is up. */
  mirrorFile?: string;
  reply(done: Promise<void>): void;
}

/** The simulation panel hands the lab a simulated cluster to show (a replay, or a large cluster). */
export interface SimAdoptDetail {
  cluster: Cluster;
  options: ClusterOptions;
  /** Let virtual time run with the lab's clock (a free-running large cluster), or only by steps. */
  pump: boolean;
  /** Where the lab reads its views from, when `cluster` records the panels' actions as steps. */
  reader?: Cluster;
  /** Given the adoption: settled once the lab has read the cluster (the next step may run). */
  reply?: (adopted: Promise<void>) => void;
}

/** The simulation panel asks for a large simulated cluster booted from these options. */
export interface SimBootDetail {
  hosts: string;
  segmentsPerHost: number;
  mirroring: 'group' | 'spread';
}

/**
 * A lesson asks the Simulation panel to open a shared run and take it over at its end, or to
 * record a step only a run has (time passing); `reply` gets the outcome.
 */
export type SimRequestDetail = (
  { kind: 'open'; run: Omit<SharedRun, 'version'>; what: string } | { kind: 'act'; step: Step }
) & { reply(done: Promise<void>): void };

/** A control is about to replace the running cluster with `what`; `reply` gets the person's answer. */
export interface ReplaceRequestDetail {
  what: string;
  reply(answer: Promise<boolean>): void;
}

/** A destructive action asks the person first: what it does, what is lost. */
export interface ConfirmDetail {
  title: string;
  /** What is lost, one sentence per item. */
  lost: string[];
  /** The confirming button's text ("Delete", "Replace the cluster"). */
  confirm: string;
  reply(answer: Promise<boolean>): void;
}

export function emit<K extends keyof MppEventMap>(
  from: EventTarget,
  name: K,
  detail: MppEventMap[K]['detail'],
): void {
  from.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

interface MppEventMap {
  'mpp-instance-select': CustomEvent<InstanceSelectDetail>;
  'mpp-console-open': CustomEvent<ConsoleOpenDetail>;
  'mpp-workload-change': CustomEvent<WorkloadChangeDetail>;
  'mpp-lesson-change': CustomEvent<LessonChangeDetail>;
  'mpp-lesson-point': CustomEvent<LessonPointDetail>;
  'mpp-lab-configure': CustomEvent<LabConfigureDetail>;
  'mpp-sim-adopt': CustomEvent<SimAdoptDetail>;
  'mpp-sim-boot': CustomEvent<SimBootDetail>;
  'mpp-replace-request': CustomEvent<ReplaceRequestDetail>;
  'mpp-sim-request': CustomEvent<SimRequestDetail>;
  'mpp-confirm': CustomEvent<ConfirmDetail>;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends MppEventMap {}
}
