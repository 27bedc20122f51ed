/**
 * What the lab says in words when the cluster does something a person watching must know:
 * failovers, promotions, a mirror marked down or back, a double fault, the standby activated.
 */
import type { ClusterEvent } from '../../workers/index.ts';

export interface NewsContext {
  /** The cluster mirrors by Greenplum 5 file replication. */
  fileRep: boolean;
  hostOf(dbid: number | undefined): string | undefined;
}

/** The sentence for an event, or undefined when it is not news. */
export function haNews(e: ClusterEvent, ctx: NewsContext): string | undefined {
  const seg = 'content' in e ? `content ${e.content}` : 'a segment';
  const at = (d: number | undefined) => {
    const host = ctx.hostOf(d);
    return `dbid ${d ?? '?'}${host ? ` on ${host}` : ''}`;
  };
  switch (e.kind) {
    case 'fts.failover':
      return `FTS failover on ${seg}: primary ${at(e.from)} is down, promoting its mirror ${at(e.to)}.`;
    case 'instance.promoted':
      return ctx.fileRep
        ? `Mirror ${at(e.dbid)} was promoted: it started from its files and is now the primary of its content, in change tracking.`
        : `Mirror ${at(e.dbid)} was promoted: it is now the primary of its content, not in sync.`;
    case 'fts.mirror_down':
      return ctx.fileRep
        ? `FTS marked the mirror of ${seg} down; its primary now tracks the blocks it changes (change tracking).`
        : `FTS marked the mirror of ${seg} down; its primary stops waiting for it (synchronous replication off).`;
    case 'fts.mirror_up':
      // A mirror marked down comes back; one that was up (a new one, or one catching up) is
      // not "up again".
      if (e.mode === 'r') return `The mirror of ${seg} is back: its primary is resynchronizing it.`;
      if (e.wasDown)
        return `The mirror of ${seg} is up again${e.mode === 's' ? ' and in sync' : ', catching up'}.`;
      return e.mode === 's' ? `The mirror of ${seg} is in sync.` : `The mirror of ${seg} is up, catching up.`;
    case 'fts.double_fault':
      return `Double fault on ${seg}: primary ${at(e.primary)} and mirror ${at(e.mirror)} are both down. Its data is unavailable.`;
    case 'standby.activated':
      return `The standby coordinator ${at(e.dbid)} was activated: it is now the coordinator.`;
    default:
      return undefined;
  }
}
