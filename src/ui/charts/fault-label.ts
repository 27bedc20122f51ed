/**
 * What a chart's fault band is called: what started the period, in a person's words ("host
 * sdw1 crashed", "dbid 2 crashed", "FTS failover"), not an event kind.
 */
import type { LabEvent } from '../state/types.ts';

/** How close to a band's start an event must be to have started it. */
const NEAR_MS = 3000;

const rank = (e: LabEvent) =>
  e.severity === 'critical' ? 0 : e.kind === 'action.fault' ? 1 : e.severity === 'warning' ? 2 : 3;

/** Event kinds in words, with the instance where there is one. */
function words(e: LabEvent): string {
  const at = e.dbid !== undefined ? `dbid ${e.dbid}` : 'an instance';
  switch (e.kind) {
    case 'instance.crash':
      return `${at} crashed`;
    case 'instance.stopped':
      return `${at} stopped`;
    case 'instance.refused':
      return `${at} refused to start`;
    case 'panic':
      return `${at} panicked`;
    case 'fts.failover':
      return 'FTS failover';
    case 'fts.double_fault':
      return 'double fault';
    case 'fts.mirror_down':
      return 'mirror marked down';
    case 'standby.activated':
      return 'standby activated';
    case 'slot.lost':
      return 'replication slot lost';
    default:
      return `${e.kind.replace(/[._]/g, ' ')}${e.dbid !== undefined ? ` (dbid ${e.dbid})` : ''}`;
  }
}

/**
 * The label of a fault period starting at `start`: the most serious event near it. Several
 * instances crashing together are one fault: "host sdw1 crashed" when they are all of the
 * host's instances, else "3 instances crashed".
 */
export function faultLabel(
  events: readonly LabEvent[],
  start: number,
  hostOf: (dbid: number) => string | undefined,
  instancesOn: (host: string) => number,
): string {
  const near = events.filter((e) => rank(e) < 3 && Math.abs(e.first - start) < NEAR_MS);
  const ev = [...near].sort(
    (a, b) => rank(a) - rank(b) || Math.abs(a.first - start) - Math.abs(b.first - start),
  )[0];
  if (!ev) return 'fault';
  if (ev.kind.startsWith('action.')) return ev.text.replace(/ →.*$/, '').slice(0, 40);
  if (ev.kind === 'instance.crash') {
    const dbids = [...new Set(near.filter((e) => e.kind === 'instance.crash').map((e) => e.dbid))].filter(
      (d): d is number => d !== undefined,
    );
    if (dbids.length > 1) {
      const hosts = new Set(dbids.map(hostOf));
      const [host] = hosts;
      return hosts.size === 1 && host && instancesOn(host) === dbids.length
        ? `host ${host} crashed`
        : `${dbids.length} instances crashed`;
    }
  }
  return words(ev);
}
