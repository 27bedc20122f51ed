/**
 * What a lesson is made of: steps that explain, offer actions (each showing the exact call,
 * command line or SQL it runs) and check the cluster reached the state the step expects.
 */
import type { ClusterStore } from '../state/cluster-store.ts';
import type { Features } from '../state/types.ts';
import { sqlCommand } from '../state/actions.ts';
import type { BankWorkload } from '../workload/bank-workload.ts';
import type { SharedRun } from '../../workers/index.ts';

/** A cluster shape a step can rebuild the lab with. */
export interface LabShape {
  hosts: string;
  mirroring: 'none' | 'group' | 'spread';
  segmentsPerHost?: number;
  replication?: 'wal' | 'filerep';
}

export type StepAction = (
  | { kind: 'crash' | 'restart'; target: number | string }
  /** `dbid`: in utility mode on that instance (its own pg_stat_activity...), not the coordinator. */
  | { kind: 'sql'; sql: string; dbid?: number }
  | { kind: 'utility'; command: string }
  | { kind: 'suspend' | 'release'; point: string; dbid: number }
  | { kind: 'rebuild'; shape: LabShape }
  /** Opens a shared run in the Simulation panel and takes it over at its end ("here is the failure"). */
  | { kind: 'openRun'; run: Omit<SharedRun, 'version'>; what: string }
  /** Lets virtual time pass on a simulated run (a step of it: its time moves only by steps). */
  | { kind: 'wait'; ms: number }
) & {
  /** The button's text. */
  label: string;
  /** Styled as dangerous (crashes). */
  danger?: boolean;
};

/** What the step's check sees: the cluster reached the expected state or not, and what it saw. */
export interface CheckOutcome {
  ok: boolean;
  seen: string;
}

/** The live objects a check reads (the store is replaced when the lab boots a new cluster). */
export interface LessonContext {
  readonly store: ClusterStore | undefined;
  readonly workload: BankWorkload | undefined;
}

export interface StepCheck {
  /** The state the step expects, in words. */
  expected: string;
  /** Reads the cluster once (the catalog, a query, the workload). */
  test(ctx: LessonContext): Promise<CheckOutcome>;
  /** How long to keep polling after an action, in compressed-time ms (default 20 s). */
  timeoutMs?: number;
}

export interface LessonStep {
  title: string;
  /** Paragraphs; `backticks` mark code. */
  text: string[];
  actions?: StepAction[];
  check?: StepCheck;
  /** Check as soon as the step opens (steps whose state the learner need not cause). */
  checkOnOpen?: boolean;
  /** The instances (dbids) the step talks about: the topology points at their cards. */
  point?: number[];
}

export interface Lesson {
  id: string;
  title: string;
  summary: string;
  /** A feature the lesson needs; without it the lesson is shown, its actions disabled. */
  needs?: keyof Features;
  /** The crash-recovery demo panel instead of steps. */
  demo?: boolean;
  steps: LessonStep[];
}

function lit(t: number | string): string {
  return typeof t === 'number' ? String(t) : `'${t}'`;
}

/** The exact call, command line or SQL an action runs. */
export function describeAction(a: StepAction): string {
  switch (a.kind) {
    case 'crash':
    case 'restart':
      return `cluster.faults.${a.kind}(${lit(a.target)})`;
    case 'sql':
      return sqlCommand(a.sql, a.dbid);
    case 'utility':
      return a.command;
    case 'suspend':
      return `const hold = cluster.faults.suspend('${a.point}', ${a.dbid})`;
    case 'release':
      return 'hold.release()';
    case 'openRun':
      return `open the run (${a.run.plan.length} steps, seed ${a.run.seed}) and take it over at step ${a.run.at}`;
    case 'wait':
      return `run.record({ op: 'wait', ms: ${a.ms} })`;
    case 'rebuild': {
      const hosts = a.shape.hosts.split(',').map((h) => `'${h}'`);
      return `createCluster({ hosts: [${hosts.join(', ')}], segmentsPerHost: ${a.shape.segmentsPerHost ?? 2}, mirroring: '${a.shape.mirroring}', standby: true })`;
    }
  }
}

/** The code block's style: SQL, API call or command line. */
export function actionStyle(a: StepAction): 'sql' | 'api' | '' {
  // A utility-mode statement carries its own prompt (which instance).
  return a.kind === 'sql' ? (a.dbid === undefined ? 'sql' : '') : a.kind === 'utility' ? '' : 'api';
}
