/**
 * How the worker runtime brings a whole cluster up: in phases, each booted side by side and
 * then announced to every process at once (one message per process, not one per process and
 * instance). A fresh cluster boots each content's primary, then its mirror from a base backup,
 * then the coordinator and its standby; a resumed one recovers every instance from its own disk
 * in the roles last saved.
 */
import type { SegmentConfig } from '../topology/placement.ts';
import type { BootSpec, ProcessStatus, SpawnedProcess } from './process-protocol.ts';
import type { Proc } from './process-cluster.ts';

/** How one instance is booted. */
export type BootHow = Pick<BootSpec, 'initdb' | 'wipe' | 'backupFrom' | 'coordinatorStart'> & {
  start?: boolean;
  /** Tell every process at once (false while a whole phase boots: it is told once after). */
  announce?: boolean;
  /** A process already started for it (a whole cluster's are started up front). */
  spawned?: Promise<SpawnedProcess>;
};

/** What the boot sequence needs of the orchestrator. */
export interface Booting {
  readonly procs: ReadonlyMap<number, Proc>;
  readonly fileRep: boolean;
  /** Spawns the instance's process and starts it by its current catalog role. */
  boot(dbid: number, how: BootHow): Promise<ProcessStatus>;
  spawnFor(row: SegmentConfig): Promise<SpawnedProcess>;
  /** Tells every live process the state of `changed`. */
  broadcastPeers(changed?: Proc[]): Promise<void>;
  /** A mirror or standby came up: its pair's primary points its walsender at it again. */
  reattach(p: Proc): Promise<void>;
}

/** A fresh cluster of `rows`, every process spawned up front. */
export async function startAll(c: Booting, rows: readonly SegmentConfig[]): Promise<void> {
  const spawned = spawnAll(c, rows);
  const primaryOf = (r: SegmentConfig) => rows.find((x) => x.content === r.content && x.role === 'p')!;
  const fresh = (r: SegmentConfig) => ({ initdb: true, spawned: spawned.get(r.dbid)! });
  const copyOfPrimary = (r: SegmentConfig) => ({
    initdb: false,
    backupFrom: { dbid: primaryOf(r).dbid, when: 'empty' as const },
    spawned: spawned.get(r.dbid)!,
  });
  // In file replication a mirror starts passive and empty; its primary sends it every file.
  const segmentMirror = c.fileRep
    ? (r: SegmentConfig) => ({ initdb: false, spawned: spawned.get(r.dbid)! })
    : copyOfPrimary;
  try {
    // Each content's mirror starts as soon as its own primary is up (its base backup needs
    // it), while other contents still boot: one phase for all segments, told once at its end.
    const segments = rows.filter((r) => r.content >= 0);
    const contents = [...new Set(segments.map((r) => r.content))];
    await Promise.all(
      contents.map(async (content) => {
        const p = segments.find((r) => r.content === content && r.role === 'p')!;
        await c.boot(p.dbid, { ...fresh(p), announce: false });
        const m = segments.find((r) => r.content === content && r.role === 'm');
        if (m) await c.boot(m.dbid, { ...segmentMirror(m), announce: false });
      }),
    );
    const booted = segments.map((r) => c.procs.get(r.dbid)!);
    await c.broadcastPeers(booted);
    if (c.fileRep)
      await Promise.all(
        segments
          .filter((r) => r.role === 'm')
          .map((m) => c.procs.get(primaryOf(m).dbid)!.control!.call('fileRepSync', [m.dbid, true])),
      );
    await Promise.all(booted.map((x) => c.reattach(x)));
    // The coordinator starts once its segments answer; then its standby from a copy of it.
    await bootPhase(
      c,
      rows.filter((r) => r.role === 'p' && r.content === -1),
      fresh,
    );
    await bootPhase(
      c,
      rows.filter((r) => r.role === 'm' && r.content === -1),
      copyOfPrimary,
    );
  } finally {
    // Processes a failed start never used must not linger.
    for (const [dbid, sp] of spawned)
      if (!c.procs.get(dbid)?.spawned)
        void sp.then(
          (x) => x.terminate(),
          () => undefined,
        );
  }
}

/**
 * Every instance of `rows` recovers from its own disk, in the roles last saved: acting
 * primaries, their mirrors, the coordinator, its standby.
 */
export async function resumeAll(c: Booting, rows: readonly SegmentConfig[]): Promise<void> {
  const phase = (list: SegmentConfig[]) => bootPhase(c, list, () => ({ initdb: false }));
  await phase(rows.filter((r) => r.content >= 0 && r.role === 'p'));
  await phase(rows.filter((r) => r.content >= 0 && r.role === 'm'));
  await phase(rows.filter((r) => r.content === -1 && r.role === 'p'));
  await phase(rows.filter((r) => r.content === -1 && r.role === 'm'));
}

/** Boots a phase of instances side by side, then tells every process about all of them at once. */
async function bootPhase(
  c: Booting,
  list: SegmentConfig[],
  how: (r: SegmentConfig) => BootHow,
): Promise<void> {
  await Promise.all(list.map((r) => c.boot(r.dbid, { ...how(r), announce: false })));
  const booted = list.map((r) => c.procs.get(r.dbid)!);
  await c.broadcastPeers(booted);
  await Promise.all(booted.map((p) => c.reattach(p)));
}

/**
 * Starts a process for every row at once: loading a worker is CPU work that overlaps the
 * earlier phases' disk and message waits. A start that fails is reported by its phase.
 */
function spawnAll(c: Booting, rows: readonly SegmentConfig[]): Map<number, Promise<SpawnedProcess>> {
  const out = new Map<number, Promise<SpawnedProcess>>();
  for (const r of rows) {
    const spawned = c.spawnFor(r);
    spawned.catch(() => undefined);
    out.set(r.dbid, spawned);
  }
  return out;
}
