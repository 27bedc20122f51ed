/** The public Faults API over an in-thread cluster: instances, hosts, links, disks, holds. */
import { sqlError } from '../errors.ts';
import { flipBit } from '../storage/bit-rot.ts';
import type { Faults } from '../node/api.ts';
import type { InlineCluster } from './cluster.ts';
import type { InstanceNode } from '../node/nodes.ts';

export function makeFaults(c: InlineCluster): Faults {
  const targets = (t: number | string): InstanceNode[] => {
    if (typeof t === 'number') return [c.nodes.get(t)];
    const list = c.nodes.byHost(t);
    if (!list.length) throw sqlError('undefined_object', `no instance or host named "${t}"`);
    return list;
  };
  const ids = (list: (number | string)[]): Set<number> => {
    const out = new Set<number>();
    for (const t of list) for (const n of targets(t)) out.add(n.dbid);
    return out;
  };
  return {
    crash: async (t) => {
      for (const n of targets(t)) await c.crashNode(n);
    },
    restart: async (t) => {
      for (const n of targets(t)) await c.restartNode(n);
    },
    partition: (a, b) => c.nodes.faults.partition(ids(a), ids(b)),
    heal: () => c.nodes.faults.heal(),
    delay: (t, ms) => {
      for (const n of targets(t)) c.nodes.faults.delay(n.dbid, ms);
    },
    slowDisk: (dbid, ms) => c.nodes.get(dbid).disk.setFaults({ latencyMs: ms }),
    diskFull: (dbid, full) => c.nodes.get(dbid).disk.setFaults({ full }),
    corruptBlock: (dbid, file, block, bit) => flipBit(c.nodes.get(dbid).disk, file, block, bit),
    suspend: (point, dbid) => c.points.suspend(point, dbid),
  };
}
