/**
 * Everything a person can do to the cluster from the lab, each with the exact call or command
 * line it runs, recorded in the store's action log (and the timeline) with its outcome.
 */
import type { ClusterStore } from './cluster-store.ts';
import { errorText } from './start-options.ts';
import { psqlAligned } from './psql-format.ts';

export type Target = number | string;

function lit(t: Target): string {
  return typeof t === 'number' ? String(t) : `'${t}'`;
}

function list(ts: Target[]): string {
  return `[${ts.map(lit).join(', ')}]`;
}

/** The API calls the fault buttons make, as text. */
export const faultCommand = {
  crash: (t: Target) => `cluster.faults.crash(${lit(t)})`,
  restart: (t: Target) => `cluster.faults.restart(${lit(t)})`,
  partition: (a: Target[], b: Target[]) => `cluster.faults.partition(${list(a)}, ${list(b)})`,
  heal: () => 'cluster.faults.heal()',
  delay: (t: Target, ms: number) => `cluster.faults.delay(${lit(t)}, ${ms})`,
  slowDisk: (dbid: number, ms: number) => `cluster.faults.slowDisk(${dbid}, ${ms})`,
  diskFull: (dbid: number, full: boolean) => `cluster.faults.diskFull(${dbid}, ${full})`,
};

async function record(
  store: ClusterStore,
  kind: 'fault' | 'utility' | 'sql',
  command: string,
  fn: () => Promise<string> | string,
): Promise<boolean> {
  const a = store.beginAction(kind, command);
  try {
    const out = await fn();
    store.finishAction(a, true, out);
    return true;
  } catch (e) {
    store.finishAction(a, false, errorText(e));
    return false;
  }
}

function faults(store: ClusterStore) {
  const c = store.cluster;
  if (!c) throw new Error('the cluster is not running');
  return c.faults;
}

export function crash(store: ClusterStore, t: Target): Promise<boolean> {
  return record(store, 'fault', faultCommand.crash(t), async () => {
    const ids = store.dbidsOf(t);
    const before = ids.map((d) => store.proc.get(d));
    store.setProc(ids, 'crashing');
    try {
      await faults(store).crash(t);
    } catch (e) {
      ids.forEach((d, i) => store.setProc([d], before[i] ?? 'up'));
      throw e;
    }
    store.setProc(ids, 'down');
    return `crashed ${ids.map((d) => `dbid ${d}`).join(', ')}: process gone, disk kept`;
  });
}

export function restart(store: ClusterStore, t: Target): Promise<boolean> {
  return record(store, 'fault', faultCommand.restart(t), async () => {
    const ids = store.dbidsOf(t);
    const before = ids.map((d) => store.proc.get(d));
    store.setProc(ids, 'starting');
    try {
      await faults(store).restart(t);
    } catch (e) {
      // As each is now: a host's restart may start some and leave others down (a former
      // primary refuses to start), and a refused restart leaves a running instance running.
      await Promise.all(
        ids.map(async (d, i) => {
          const s = await store.cluster?.instanceStatus(d).catch(() => undefined);
          store.setProc([d], s ? (s.running ? 'up' : 'down') : (before[i] ?? 'down'));
        }),
      );
      throw e;
    }
    store.setProc(ids, 'up');
    void store.refresh();
    return `restarted ${ids.map((d) => `dbid ${d}`).join(', ')} (crash recovery from its disk)`;
  });
}

export function partition(store: ClusterStore, a: Target[], b: Target[]): Promise<boolean> {
  return record(store, 'fault', faultCommand.partition(a, b), async () => {
    await faults(store).partition(a, b);
    store.applied.partition = `${a.join(', ')} ✂ ${b.join(', ')}`;
    return 'calls across the cut now time out';
  });
}

export function heal(store: ClusterStore): Promise<boolean> {
  return record(store, 'fault', faultCommand.heal(), async () => {
    await faults(store).heal();
    store.applied.partition = '';
    store.applied.delays.clear();
    return 'network healed';
  });
}

export function delay(store: ClusterStore, t: Target, ms: number): Promise<boolean> {
  return record(store, 'fault', faultCommand.delay(t, ms), async () => {
    await faults(store).delay(t, ms);
    if (ms > 0) store.applied.delays.set(String(t), ms);
    else store.applied.delays.delete(String(t));
    return ms > 0 ? `every message to and from ${t} waits ${ms} ms` : `no delay on ${t}`;
  });
}

export function slowDisk(store: ClusterStore, dbid: number, ms: number): Promise<boolean> {
  return record(store, 'fault', faultCommand.slowDisk(dbid, ms), async () => {
    await faults(store).slowDisk(dbid, ms);
    if (ms > 0) store.applied.slowDisks.set(dbid, ms);
    else store.applied.slowDisks.delete(dbid);
    return ms > 0 ? `disk of dbid ${dbid} takes ${ms} ms per I/O` : `disk of dbid ${dbid} at full speed`;
  });
}

export function diskFull(store: ClusterStore, dbid: number, full: boolean): Promise<boolean> {
  return record(store, 'fault', faultCommand.diskFull(dbid, full), async () => {
    await faults(store).diskFull(dbid, full);
    if (full) store.applied.fullDisks.add(dbid);
    else store.applied.fullDisks.delete(dbid);
    return full
      ? `disk of dbid ${dbid} is full: writes fail with 53100`
      : `disk of dbid ${dbid} has room again`;
  });
}

/**
 * An exit status that is the utility's answer rather than a failure, with what it means:
 * `gpstate -e` exits 1 when it lists segments with problems; a "no" to a utility's question
 * exits 4 (simple_main's UserAbortedException) or, for the standby utilities, 2 'User canceled'.
 */
export function exitNote(commandLine: string, exitCode: number, output = ''): string | undefined {
  const [tool = '', ...args] = (commandLine.split('|').at(-1) ?? '').trim().split(/\s+/);
  const flags = args.filter((a) => /^-[a-zA-Z]+$/.test(a)).join('');
  if (tool === 'gpstate' && exitCode === 1 && flags.includes('e'))
    return 'exit 1: gpstate -e found segments with problems (its answer, not a failure)';
  if (exitCode === 4 && output.includes('User abort requested'))
    return `exit 4: ${tool} was answered no, so it changed nothing`;
  if (
    exitCode === 2 &&
    /Error (initializing|removing|activating) standby coordinator: User canceled/.test(output)
  )
    return `exit 2: ${tool} was answered no, so it changed nothing`;
  return undefined;
}

/** Runs a management utility; its stdout and stderr become the action's output. */
export async function utility(store: ClusterStore, commandLine: string): Promise<boolean> {
  const a = store.beginAction('utility', commandLine);
  try {
    const c = store.cluster;
    if (!c) throw new Error('the cluster is not running');
    const r = await c.run(commandLine);
    const out = `${r.stdout}${r.stderr}[exit ${r.exitCode}]`;
    const note = exitNote(commandLine, r.exitCode, out);
    const ok = r.exitCode === 0 || note !== undefined;
    store.finishAction(a, ok, out, note);
    void store.refresh();
    return ok;
  } catch (e) {
    store.finishAction(a, false, errorText(e));
    return false;
  }
}

/** How an SQL action reads: as typed at psql, with the instance when it is a utility-mode session. */
export function sqlCommand(text: string, dbid?: number): string {
  return dbid === undefined ? text : `dbid ${dbid} (utility mode)=# ${text}`;
}

/**
 * One SQL statement on a fresh session: the coordinator's (used by controls such as "probe
 * now"), or with `dbid` a utility-mode session on that instance alone.
 */
export function sql(store: ClusterStore, text: string, dbid?: number): Promise<boolean> {
  return record(store, 'sql', sqlCommand(text, dbid), async () => {
    const c = store.cluster;
    if (!c) throw new Error('the cluster is not running');
    let r;
    if (dbid === undefined) r = await c.query(text);
    else {
      const session = await c.connect({ dbid });
      try {
        r = await session.query(text);
      } finally {
        await session.close();
      }
    }
    void store.refresh();
    // As psql prints it: a result's rows as its aligned table, any other statement's tag.
    return r.fields.length ? psqlAligned(r.fields, r.rows) : `${r.command} ${r.rowCount}`;
  });
}

/** The key of a held fault point in `store.holds`. */
export function holdKey(point: string, dbid: number): string {
  return `${point}@${dbid}`;
}

/** Holds a fault point (as gp_inject_fault 'suspend'); the handle waits in the store for `release`. */
export function suspend(store: ClusterStore, point: string, dbid: number): Promise<boolean> {
  return record(store, 'fault', `const hold = cluster.faults.suspend('${point}', ${dbid})`, () => {
    const key = holdKey(point, dbid);
    if (store.holds.has(key)) return `${point} on dbid ${dbid} is already held`;
    store.holds.set(key, faults(store).suspend(point, dbid));
    store.changed();
    return point === 'fts_probe'
      ? 'FTS skips its probes until released'
      : `dbid ${dbid} stops at ${point} until released`;
  });
}

export function release(store: ClusterStore, point: string, dbid: number): Promise<boolean> {
  return record(store, 'fault', 'hold.release()', () => {
    const key = holdKey(point, dbid);
    const h = store.holds.get(key);
    if (!h) return `${point} on dbid ${dbid} was not held`;
    h.release();
    store.holds.delete(key);
    store.changed();
    return `${point} on dbid ${dbid} released`;
  });
}
