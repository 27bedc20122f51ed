/**
 * DTX recovery passes run every gp_dtx_recovery_interval (several a second at a compressed time
 * scale). A pass that finishes nothing and reaches what the last one reached is not an event:
 * the lab's timeline once showed hundreds of them, burying the failures they followed.
 */
import { afterEach, expect, it } from 'vitest';
import { createCluster, type Cluster, type ClusterEvent } from '../../src/engine/index.ts';
import { coordinatorOf } from '../../src/engine/node/process.ts';
import type { InstanceNode } from '../../src/engine/node/nodes.ts';
import { waitFor } from '../support/wait.ts';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** Passes the acting coordinator's DTX recovery has run. */
function passes(c: Cluster): number {
  const node = (c as unknown as { coordinatorNode(): InstanceNode }).coordinatorNode();
  return coordinatorOf(node.process)?.dtxRecovery?.passes ?? 0;
}

it('an idle pass is not an event; an unreachable content is reported once, and again when it changes', async () => {
  const c = (cluster = await createCluster({ mirroring: 'none', timeScale: 1000 }));
  const heard: ClusterEvent[] = [];
  c.subscribe((e) => heard.push(e));
  const recoveries = () => heard.filter((e) => e.kind === 'dtx.recovery');
  const after = async (n: number) => {
    const target = passes(c) + n;
    await waitFor(async () => passes(c) >= target);
  };
  await after(5);
  expect(recoveries()).toEqual([]);

  await c.faults.crash(2);
  await after(5);
  expect(recoveries().map((e) => (e as { unreachable: number[] }).unreachable)).toEqual([[0]]);

  await c.faults.restart(2);
  await after(5);
  expect(recoveries().map((e) => (e as { unreachable: number[] }).unreachable)).toEqual([[0], []]);
});
