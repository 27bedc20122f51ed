/**
 * Runs a lesson's (or a recommendation's) action through the same functions the controls use,
 * so it lands in the action log and the timeline with its exact command.
 */
import { emit } from '../events.ts';
import * as act from '../state/actions.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { describeAction, type StepAction } from './lesson-types.ts';

export interface ActionOutcome {
  ok: boolean;
  /** The command's output (utilities, SQL) or what happened. */
  output: string;
  /** An exit status that is the utility's answer, not a failure, explained. */
  note?: string;
}

/** Runs `a`; `from` dispatches the rebuild request the lab answers. */
export async function runAction(
  store: ClusterStore | undefined,
  a: StepAction,
  from: EventTarget,
): Promise<ActionOutcome> {
  if (a.kind === 'rebuild') {
    let done: Promise<void> | undefined;
    emit(from, 'mpp-lab-configure', { ...a.shape, reply: (p) => (done = p) });
    if (!done) return { ok: false, output: 'Only the lab can build a new cluster.' };
    try {
      await done;
      return { ok: true, output: 'a new cluster is running' };
    } catch (e) {
      return { ok: false, output: e instanceof Error ? e.message : String(e) };
    }
  }
  if (a.kind === 'openRun' || a.kind === 'wait') {
    let done: Promise<void> | undefined;
    emit(from, 'mpp-sim-request', {
      ...(a.kind === 'openRun'
        ? { kind: 'open' as const, run: a.run, what: a.what }
        : { kind: 'act' as const, step: { op: 'wait' as const, ms: a.ms } }),
      reply: (p) => (done = p),
    });
    if (!done) return { ok: false, output: 'Only a lab with its Simulation panel can run this.' };
    try {
      await done;
      return {
        ok: true,
        output: a.kind === 'openRun' ? 'the run is open, taken over at its end' : 'time passed',
      };
    } catch (e) {
      return { ok: false, output: e instanceof Error ? e.message : String(e) };
    }
  }
  if (!store || store.state !== 'ready') return { ok: false, output: 'The cluster is not running.' };
  let ok: boolean;
  switch (a.kind) {
    case 'crash':
      ok = await act.crash(store, a.target);
      break;
    case 'restart':
      ok = await act.restart(store, a.target);
      break;
    case 'sql':
      ok = await act.sql(store, a.sql, a.dbid);
      break;
    case 'utility':
      ok = await act.utility(store, a.command);
      break;
    case 'suspend':
      ok = await act.suspend(store, a.point, a.dbid);
      break;
    case 'release':
      ok = await act.release(store, a.point, a.dbid);
      break;
  }
  const command = describeAction(a);
  const record = store.actions.find((r) => r.command === command);
  return { ok, output: record?.output ?? '', ...(record?.note ? { note: record.note } : {}) };
}
