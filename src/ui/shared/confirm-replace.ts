/**
 * Before a control replaces the running cluster (a new cluster, a planned layout, a lesson's
 * fresh start, a simulation), it asks the lab, which says what would be lost and lets the
 * person decide. A component used on its own, with no lab around it, has nothing to lose.
 */
import { emit } from '../events.ts';

/** Asks whether to replace the running cluster with `what`; true to go ahead. */
export async function confirmReplace(from: EventTarget, what: string): Promise<boolean> {
  let answer: Promise<boolean> | undefined;
  emit(from, 'mpp-replace-request', { what, reply: (p) => (answer = p) });
  return answer ?? true;
}

/** Asks the lab to confirm a destructive action; true to go ahead (no lab around: true). */
export async function confirmAction(
  from: EventTarget,
  title: string,
  lost: string[],
  confirm: string,
): Promise<boolean> {
  let answer: Promise<boolean> | undefined;
  emit(from, 'mpp-confirm', { title, lost, confirm, reply: (p) => (answer = p) });
  return answer ?? true;
}
