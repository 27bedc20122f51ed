/**
 * A person's own actions as steps of a recorded run: SQL (on a session of its own, or on one of
 * the run's sessions kept open across steps, as a console's is) and utility command lines. The
 * simulation is deterministic, so replaying the same steps reaches the same states.
 */
import type { Session, QueryResult } from '../node/api.ts';
import type { SimCluster } from '../cluster/sim-cluster.ts';
import { SimulationTimeout } from '../runtime/sim.ts';
import type { Step } from './steps.ts';

export type PersonStep = Extract<Step, { op: 'sql' | 'disconnect' | 'utility' }>;

export function isPersonStep(s: Step): s is PersonStep {
  return s.op === 'sql' || s.op === 'disconnect' || s.op === 'utility';
}

/** What a person's step gave back: a statement's result or error, a utility's output. */
export type StepValue =
  | { kind: 'rows'; result: QueryResult }
  | { kind: 'error'; error: unknown }
  | { kind: 'output'; stdout: string; stderr: string; exitCode: number }
  | { kind: 'none' };

/** The run's open sessions, by the number the recording gave them. */
export class PersonSessions {
  private readonly open = new Map<number, Session>();
  /** Sessions whose last statement left a transaction block open. */
  private readonly inTransaction = new Set<number>();

  /** The sessions open now, by number. */
  ids(): number[] {
    return [...this.open.keys()];
  }

  /** Sessions holding a transaction block open (their locks with it). */
  transactions(): number[] {
    return [...this.inTransaction];
  }

  async apply(c: SimCluster, step: PersonStep): Promise<{ note: string; value: StepValue }> {
    switch (step.op) {
      case 'utility': {
        const r = await c.run(step.command);
        return {
          note: `exit ${r.exitCode}`,
          value: { kind: 'output', stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode },
        };
      }
      case 'disconnect': {
        const s = this.open.get(step.session);
        this.open.delete(step.session);
        this.inTransaction.delete(step.session);
        await s?.close().catch(rethrowTimeout);
        return { note: s ? 'closed' : 'not open', value: { kind: 'none' } };
      }
      case 'sql':
        try {
          const result =
            step.session === undefined
              ? await this.once(c, step.text, step.dbid)
              : await (await this.session(c, step.session, step.dbid)).query(step.text);
          if (step.session !== undefined) {
            if (result.transactionStatus && result.transactionStatus !== 'idle')
              this.inTransaction.add(step.session);
            else this.inTransaction.delete(step.session);
          }
          return { note: `${result.command} ${result.rowCount}`, value: { kind: 'rows', result } };
        } catch (e) {
          rethrowTimeout(e);
          const code = (e as { code?: unknown }).code;
          const message = e instanceof Error ? e.message : String(e);
          return {
            note: `error: ${typeof code === 'string' ? `${code} ` : ''}${message}`,
            value: { kind: 'error', error: e },
          };
        }
    }
  }

  private async once(c: SimCluster, text: string, dbid: number | undefined): Promise<QueryResult> {
    if (dbid === undefined) return c.query(text);
    const s = await c.connect({ dbid });
    try {
      return await s.query(text);
    } finally {
      await s.close().catch(rethrowTimeout);
    }
  }

  /** A recorded session, opened at its first statement (a failed open is tried again at the next). */
  private async session(c: SimCluster, id: number, dbid: number | undefined): Promise<Session> {
    let s = this.open.get(id);
    if (!s) {
      s = await c.connect(dbid === undefined ? {} : { dbid });
      this.open.set(id, s);
    }
    return s;
  }
}

function rethrowTimeout(e: unknown): void {
  if (e instanceof SimulationTimeout) throw e;
}
