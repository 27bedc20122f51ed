/**
 * Processes of the worker runtime run in the calling thread, each over its own MessageChannels
 * with a memory disk that outlives it: the orchestration, wiring and crash semantics of the
 * worker runtime, testable in Node. terminate() is the crash: timers stop, links close, and
 * whatever the disk had not synced is lost.
 */
import type { Clock } from '../runtime/clock.ts';
import { globalMessageChannel } from '../runtime/link-endpoint.ts';
import { MemoryDisk } from '../storage/memory-disk.ts';
import {
  clusterInUse,
  type ProcessSpawner,
  type SavedTopology,
  type SpawnedProcess,
} from './process-cluster.ts';
import { serveProcess } from './process-host.ts';
import { linkedModules } from '../node/linked-modules.ts';
import { ModuleLoader, type RoleModules } from '../node/role-modules.ts';
import { runUtility } from '../utilities/index.ts';

export function inThreadSpawner(
  clock: Clock,
  /** Each process's role code by its label ("mirror dbid 6"): linked in unless a test delays it. */
  modules: (label: string) => RoleModules = () => linkedModules(),
): ProcessSpawner & { disks: Map<string, MemoryDisk> } {
  const disks = new Map<string, MemoryDisk>();
  const topologies = new Map<string, SavedTopology>();
  const locks = new Set<string>();
  const openDisk = async (name: string) => {
    let d = disks.get(name);
    if (!d) disks.set(name, (d = new MemoryDisk((ms) => clock.sleep(ms))));
    return d;
  };
  return {
    disks,
    spawn: async (label): Promise<SpawnedProcess> => {
      const Channel = globalMessageChannel();
      const control = new Channel();
      const upcall = new Channel();
      const host = serveProcess(
        { clock, openDisk, modules: modules(label), utilities: new ModuleLoader(() => ({ runUtility })) },
        control.port1,
        upcall.port1,
      );
      return {
        control: control.port2,
        upcall: upcall.port2,
        terminate: () => {
          const name = host.process.diskName;
          host.close();
          control.port1.close();
          upcall.port1.close();
          if (name) disks.get(name)?.crash();
        },
      };
    },
    destroyDisks: async (name, dbids) => {
      for (const dbid of dbids) disks.delete(`${name}-dbid${dbid}`);
      topologies.delete(name);
    },
    destroyDisk: async (name, dbid) => {
      disks.delete(`${name}-dbid${dbid}`);
    },
    lock: async (name) => {
      if (locks.has(name)) throw clusterInUse(name);
      locks.add(name);
      return () => locks.delete(name);
    },
    saveTopology: async (name, t) => {
      topologies.set(name, JSON.parse(JSON.stringify(t)) as SavedTopology);
    },
    loadTopology: async (name) => topologies.get(name),
  };
}
