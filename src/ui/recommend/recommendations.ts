/**
 * "Recommended next actions", as Greenplum Command Center gives them: derived from the catalog
 * (gp_segment_configuration, gp_configuration_history) and the instance processes the lab has
 * seen crash, each with the utility or call that addresses it.
 */
import type { StepAction } from '../lessons/lesson-types.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import {
  copyLabel,
  freeCoordinatorHost,
  procNotRunning,
  standbyDirectoryInTheWay,
  type SegmentRow,
} from '../state/types.ts';
import { inAbout } from '../state/cluster-health.ts';
import { expansionProgress } from '../state/expansion.ts';

export interface Recommendation {
  /** Stable id, for tests and keys: 'activate', 'recover', 'rebalance', 'double-fault-0'... */
  id: string;
  level: 'critical' | 'warning' | 'info' | 'ok';
  title: string;
  detail: string;
  action?: StepAction;
}

const list = (xs: (string | number)[]) => xs.join(', ');

/** True when the lab saw the instance's process die and not come back. */
function isDown(store: ClusterStore, dbid: number): boolean {
  return procNotRunning(store.proc.get(dbid));
}

/** Contents whose newest history row says FTS found a double fault (or a mirrorless content down). */
function faultedInHistory(store: ClusterStore): Set<number> {
  const seen = new Set<number>();
  const out = new Set<number>();
  for (const h of store.history) {
    const m = /content id (\d+)/.exec(h.desc);
    if (!m) continue;
    const c = Number(m[1]);
    if (seen.has(c)) continue;
    seen.add(c);
    if (/double fault detected|dbid \d+ is down/.test(h.desc)) out.add(c);
  }
  return out;
}

export function recommend(store: ClusterStore): Recommendation[] {
  if (store.state !== 'ready') return [];
  const all = recommendNow(store);
  // While a utility runs (gprecoverseg, gpstop...), what the catalog shows is its work in
  // progress: an action offered then would start a second, conflicting operation. What only
  // informs (a copy's progress) stays.
  const running = store.actions.find((a) => a.kind === 'utility' && a.ok === undefined);
  if (!running) return all;
  return [
    {
      id: 'utility-running',
      level: 'info',
      title: `Wait: ${running.command} is running`,
      detail:
        'Its output is in the utilities panel. The next action is recommended when it has finished; acting on the cluster meanwhile would start a second operation on the same instances.',
    },
    ...all.filter((r) => !r.action && r.level !== 'ok'),
  ];
}

function recommendNow(store: ClusterStore): Recommendation[] {
  const rows = store.config;
  const out: Recommendation[] = [];
  const coord = rows.find((r) => r.content === -1 && r.role === 'p');
  const standby = rows.find((r) => r.content === -1 && r.role === 'm');

  if (coord && (isDown(store, coord.dbid) || /coordinator is not running/.test(store.catalogError))) {
    if (store.proc.get(coord.dbid) === 'stopped') {
      // A planned stop (gpstop): start the cluster again, never activate the standby.
      out.push({
        id: 'gpstart',
        level: 'warning',
        title: 'Start the cluster: gpstart -a',
        detail: `The coordinator (dbid ${coord.dbid} on ${coord.hostname}) was stopped by a utility: no client can connect until gpstart starts it, with the segments and the standby.`,
        action: { kind: 'utility', command: 'gpstart -a', label: 'Start' },
      });
    } else if (standby && !isDown(store, standby.dbid)) {
      const cmd = `gpactivatestandby -d ${standby.datadir}`;
      out.push({
        id: 'activate',
        level: 'critical',
        title: `Activate the standby: ${cmd}`,
        detail: `The coordinator (dbid ${coord.dbid} on ${coord.hostname}) is down: no client can connect. Run gpactivatestandby on ${standby.hostname} to make the standby (dbid ${standby.dbid}) the coordinator.`,
        action: { kind: 'utility', command: cmd, label: 'Activate' },
      });
    } else
      out.push({
        id: 'restart-coordinator',
        level: 'critical',
        title: 'Restart the coordinator',
        detail: `The coordinator (dbid ${coord.dbid}) is down and there is no running standby to activate.`,
        action: { kind: 'restart', target: coord.dbid, label: 'Restart' },
      });
    // The catalog cannot be read: what follows would be stale.
    return out;
  }

  // gpstart -m after a gpstop: the coordinator runs alone, for utility-mode connections, and
  // every segment is stopped on purpose. Not a double fault: stop it, then start the cluster.
  const segments = rows.filter((r) => r.content >= 0);
  if (coord && segments.length && segments.every((r) => store.proc.get(r.dbid) === 'stopped')) {
    out.push({
      id: 'leave-maintenance',
      level: 'warning',
      title: 'Leave maintenance mode: gpstop -m, then gpstart -a',
      detail: `The coordinator (dbid ${coord.dbid} on ${coord.hostname}) runs alone in maintenance mode (gpstart -m): only utility-mode connections, and every segment stopped by gpstop. Stop it with gpstop -a -m, then start the whole cluster with gpstart -a.`,
      action: { kind: 'utility', command: 'gpstop -a -m', label: 'Stop the coordinator' },
    });
    return out;
  }

  const contents = [...new Set(segments.map((r) => r.content))];
  const faulted = faultedInHistory(store);
  const unavailable = new Set<number>();
  const downMirrors: SegmentRow[] = [];
  const syncing: SegmentRow[] = [];
  const pending: SegmentRow[] = [];
  const unmarkedMirrors: SegmentRow[] = [];
  for (const c of contents) {
    const p = rows.find((r) => r.content === c && r.role === 'p');
    const m = rows.find((r) => r.content === c && r.role === 'm');
    if (!p) continue;
    if (isDown(store, p.dbid)) {
      if (!m || m.status === 'd' || isDown(store, m.dbid) || faulted.has(c)) {
        unavailable.add(c);
        const both = m
          ? `Both its primary (dbid ${p.dbid}) and its mirror (dbid ${m.dbid}) are down`
          : `Its only instance (dbid ${p.dbid}) is down and it has no mirror`;
        out.push({
          id: `double-fault-${c}`,
          level: 'critical',
          title: m ? `Double fault: content ${c} is unavailable` : `Content ${c} is unavailable`,
          detail: `${both}. The data of content ${c} is unavailable, and every query that needs it fails, until one of its instances returns: restart the primary (dbid ${p.dbid})${m ? ', which has every committed transaction, then recover the mirror with gprecoverseg -a' : ''}.`,
          action: { kind: 'restart', target: p.dbid, label: `Restart dbid ${p.dbid}` },
        });
      } else pending.push(p);
      continue;
    }
    if (m && m.status === 'd') {
      if (!store.recovery.has(m.dbid)) downMirrors.push(m);
    } else if (m && isDown(store, m.dbid)) unmarkedMirrors.push(m);
    else if (m && m.mode !== 's') syncing.push(m);
  }

  const held = store.holds.has('fts_probe@1');
  const next = store.nextProbeInMs();
  const when = held
    ? 'FTS probes are held (the fts_probe fault point), so nothing happens until you release them'
    : `FTS's next probe is due ${next === undefined ? 'within gp_fts_probe_interval' : inAbout(next)}`;
  const probeOrRelease: StepAction = held
    ? { kind: 'release', point: 'fts_probe', dbid: 1, label: 'Release FTS' }
    : { kind: 'sql', sql: 'select gp_request_fts_probe_scan()', label: 'Probe now' };
  if (pending.length)
    out.push({
      id: 'probe',
      level: 'warning',
      title: held ? 'FTS would fail over, but its probes are held' : 'FTS will fail over at its next probe',
      detail: `Primary ${list(pending.map((p) => `dbid ${p.dbid}`))} is down; its mirror is in sync and will be promoted. ${when}.`,
      action: probeOrRelease,
    });
  for (const m of unmarkedMirrors) {
    const w = store.syncWaits.get(m.content);
    const p = rows.find((r) => r.content === m.content && r.role === 'p');
    out.push({
      id: w ? 'fts-wait' : 'mirror-unmarked',
      level: w || held ? 'critical' : 'warning',
      title: w
        ? `${w.count} commit${w.count === 1 ? ' on content ' + m.content + ' waits' : 's on content ' + m.content + ' wait'} for a dead mirror`
        : `FTS will mark mirror dbid ${m.dbid} down`,
      detail: `Mirror dbid ${m.dbid} (content ${m.content}, ${m.hostname}) is not running, but the catalog still says it is up and in sync. ${
        w
          ? `Its primary dbid ${p?.dbid ?? '?'} holds ${w.count} commit${w.count === 1 ? '' : 's'} until the mirror confirms it (pg_stat_activity: wait_event SyncRep); the clients wait. `
          : ''
      }${when}: it will mark dbid ${m.dbid} down and tell the primary to turn synchronous replication off${w ? ', and the waiting commits complete' : ''}. Then recover the mirror with gprecoverseg -a.`,
      action: probeOrRelease,
    });
  }
  for (const [content, w] of store.syncWaits)
    if (!unmarkedMirrors.some((m) => m.content === content))
      out.push({
        id: `syncrep-wait-${content}`,
        level: 'warning',
        title: `${w.count} commit${w.count === 1 ? ' on content ' + content + ' waits' : 's on content ' + content + ' wait'} for the mirror`,
        // A mirror that runs but does not answer (a cut network) is not marked down at the next
        // probe: the primary reports it gone only once its walsender gives up on it.
        detail: `Primary dbid ${w.dbid} holds them until its mirror confirms the WAL (pg_stat_activity: wait_event SyncRep). A slow mirror makes commits wait. One that stops answering is given up by the primary's walsender after wal_sender_timeout; the FTS probe after that marks it down and turns synchronous replication off, and the commits complete.`,
        action: probeOrRelease,
      });
  // Copies under way (gprecoverseg, gpaddmirrors, a file resync): wait for them, not another run.
  const copies = [...store.recovery];
  if (copies.length)
    out.push({
      id: 'recovering',
      level: 'info',
      title: 'Recovery in progress: wait for the copy',
      detail: `${list(
        copies.map(
          ([d, c]) =>
            `dbid ${d}: ${copyLabel(c.type)} ${c.total ? Math.round((100 * c.done) / c.total) : 0}% of ${c.total < 1024 ? `${c.total} bytes` : `${Math.round(c.total / 1024)} kB`}`,
        ),
      )}. The instance then starts as a mirror and catches up from its primary's WAL.`,
    });
  if (downMirrors.length)
    out.push({
      id: 'recover',
      level: 'warning',
      title: 'Recover with gprecoverseg -a',
      detail: `${downMirrors.length === 1 ? 'Mirror' : 'Mirrors'} ${list(downMirrors.map((m) => `dbid ${m.dbid} (content ${m.content}, ${m.hostname})`))} ${downMirrors.length === 1 ? 'is' : 'are'} down: ${downMirrors.length === 1 ? 'its content runs' : 'their contents run'} on one copy. gprecoverseg -a recovers them incrementally as mirrors.`,
      action: { kind: 'utility', command: 'gprecoverseg -a', label: 'Recover' },
    });
  if (syncing.length) {
    const progress = syncing
      .map((m) => {
        const r = store.recovery.get(m.dbid);
        return r && r.total ? `dbid ${m.dbid} ${Math.round((100 * r.done) / r.total)}%` : `dbid ${m.dbid}`;
      })
      .join(', ');
    out.push({
      id: 'sync',
      level: 'info',
      title: 'Wait for the mirrors to synchronize',
      detail: `${progress}: up, not yet in sync (mode n). gpstate -e shows what is left; rebalance only after they are in sync.`,
      action: { kind: 'utility', command: 'gpstate -e', label: 'Show progress' },
    });
  }

  const switched = rows.filter((r) => r.content >= 0 && r.role === 'p' && r.preferredRole === 'm');
  const balanceable = switched.filter((p) =>
    rows.filter((r) => r.content === p.content).every((r) => r.status === 'u' && r.mode === 's'),
  );
  if (balanceable.length)
    out.push({
      id: 'rebalance',
      level: 'warning',
      title: 'Rebalance with gprecoverseg -r',
      detail: `${list(balanceable.map((p) => `dbid ${p.dbid}`))} ${balanceable.length === 1 ? 'acts' : 'act'} as primary on ${list([...new Set(balanceable.map((p) => p.hostname))])} though preferred as mirror, and ${balanceable.length === 1 ? 'its pair is' : 'their pairs are'} in sync: gprecoverseg -r returns every segment to its preferred role (running queries on those contents are cancelled).`,
      action: { kind: 'utility', command: 'gprecoverseg -r', label: 'Rebalance' },
    });

  if (coord && !standby) {
    const host = freeCoordinatorHost(coord.hostname);
    const inTheWay = standbyDirectoryInTheWay(coord, store.directories);
    out.push(
      inTheWay
        ? {
            id: 'move-old-datadir',
            level: 'warning',
            title: `Move the old coordinator's data directory aside: ${inTheWay.move}`,
            detail: `The coordinator (dbid ${coord.dbid} on ${coord.hostname}) has no standby, and gpinitstandby -s ${host} would put one at ${inTheWay.dir.datadir}, where dbid ${inTheWay.dir.dbid} (out of the configuration since it was replaced) left its files: gpinitstandby will not initialize over an existing data directory. Move it aside (or remove it with rm -rf), then add the standby.`,
            action: { kind: 'utility', command: inTheWay.move, label: 'Move directory' },
          }
        : {
            id: 'add-standby',
            level: 'warning',
            title: `Add a standby: gpinitstandby -s ${host}`,
            detail: `The coordinator (dbid ${coord.dbid} on ${coord.hostname}) has no standby: if it fails, the cluster is down until it is repaired.`,
            action: { kind: 'utility', command: `gpinitstandby -s ${host}`, label: 'Add standby' },
          },
    );
  } else if (standby && (isDown(store, standby.dbid) || standby.status === 'd'))
    out.push({
      id: 'restart-standby',
      level: 'warning',
      title: 'Restart the standby: gpinitstandby -n',
      detail: `The standby (dbid ${standby.dbid} on ${standby.hostname}) is down: the coordinator is unprotected.`,
      action: { kind: 'utility', command: 'gpinitstandby -n', label: 'Restart standby' },
    });

  for (const key of store.holds.keys()) {
    const [point = '', dbid = '0'] = key.split('@');
    out.push({
      id: `hold-${point}`,
      level: 'info',
      title: `Fault point ${point} is held on dbid ${dbid}`,
      detail:
        point === 'fts_probe'
          ? 'FTS skips its probes: failures go unnoticed until it is released.'
          : 'The instance waits at this point until released.',
      action: { kind: 'release', point, dbid: Number(dbid), label: 'Release' },
    });
  }

  // A gpexpand under way: its tables are not all on the new segments yet (gpstate -x).
  const x = store.expansion;
  if (x && (x.state === 'SETUP DONE' || x.state === 'EXPANSION STOPPED'))
    out.push({
      id: 'gpexpand-redistribute',
      level: 'info',
      title: 'Redistribute the tables: gpexpand',
      detail: `gpexpand's ${x.state === 'SETUP DONE' ? 'setup is done' : 'redistribution stopped at its end time'}: ${expansionProgress(x).waiting} table(s) still wait to be spread over the new segments. Until they are, their rows stay on the old segments only.`,
      action: { kind: 'utility', command: 'gpexpand', label: 'Redistribute' },
    });
  else if (x?.state === 'EXPANSION COMPLETE')
    out.push({
      id: 'gpexpand-clean',
      level: 'info',
      title: 'Clean up the expansion: gpexpand -c',
      detail: 'Every table is redistributed. gpexpand -c removes the gpexpand schema, its status tables.',
      action: { kind: 'utility', command: 'gpexpand -c', label: 'Clean up' },
    });

  if (!out.length && segments.length && !segments.some((r) => r.role === 'm'))
    out.push({
      id: 'add-mirrors',
      level: 'info',
      title: 'Add mirrors: gpaddmirrors',
      detail:
        'Every segment is up, but none has a mirror: a failed segment makes its data unavailable until it restarts. gpaddmirrors adds one for every primary (group placement, each in a data directory location it asks for), built from a copy of its primary while the primaries keep serving.',
      action: { kind: 'utility', command: 'gpaddmirrors -a', label: 'Add mirrors' },
    });
  if (!out.length)
    out.push({
      id: 'healthy',
      level: 'ok',
      title: 'No action needed',
      detail: rows.some((r) => r.content >= 0 && r.role === 'm')
        ? 'Every segment is up, synchronized and in its preferred role; the coordinator has a standby.'
        : 'Every segment is up. This cluster has no mirrors: a failed segment makes its data unavailable until it restarts.',
    });
  return out;
}
