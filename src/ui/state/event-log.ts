/**
 * The lab's event log: cluster events and the person's actions, ranked by severity, with
 * repeats folded into one entry ("walsender.unreachable ×37") wherever they interleave, and a
 * retention per severity, so a flood of routine events (a walsender retrying a dead mirror
 * every few hundred ms) can never push a failover or a promotion out of the log.
 */
import type { LabEvent, Severity } from './types.ts';

/** Most to least important; the timeline's filter keeps a prefix of this. */
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info', 'debug'];

/** How many entries of each severity the log keeps (folded repeats count once). */
const KEEP: Record<Severity, number> = { critical: 200, warning: 200, info: 300, debug: 120 };

/** Fields that change on every repeat and so do not make an event different. */
const VOLATILE = new Set(['cycle', 'done', 'total', 'redo', 'at', 'from', 'time', 'bytes', 'pending']);

const CRITICAL = new Set([
  'fts.failover',
  'fts.double_fault',
  'instance.crash',
  'instance.refused',
  'panic',
  'slot.lost',
  'standby.activated',
]);
const WARNING = new Set([
  'fts.mirror_down',
  'fts.promote',
  'fts.skip_mirror_down',
  'instance.promoted',
  'walsender.disconnected',
  'syncrep.off',
  'link.timeout',
  'recovery.start',
  'filerep.resync',
]);
const DEBUG = new Set([
  'walsender.unreachable',
  'fts.cycle',
  'recovery.progress',
  'checkpoint',
  'restartpoint',
  'link.drop',
  'link.closed',
  'standby.replaying',
]);

/**
 * An event's severity, where its fields decide it: a recovery is a warning when it is crash
 * recovery, not when a mirror or standby starts replaying or a cleanly stopped instance starts.
 */
export function eventSeverity(e: { kind: string; [field: string]: unknown }): Severity {
  if (e.kind === 'recovery.start' && (e['standby'] === true || e['clean'] === true)) return 'info';
  return severityOf(e.kind);
}

/** How much an event matters to someone watching the cluster's availability. */
export function severityOf(kind: string): Severity {
  if (CRITICAL.has(kind)) return 'critical';
  if (WARNING.has(kind)) return 'warning';
  if (DEBUG.has(kind) || kind.startsWith('link.')) return 'debug';
  return 'info';
}

/** `key=value` text of an event's fields, and the part of it that identifies a repeat. */
export function formatFields(e: Record<string, unknown>): { text: string; key: string } {
  const skip = new Set(['kind', 'time', 'dbid']);
  const all: string[] = [];
  const stable: string[] = [];
  for (const [k, v] of Object.entries(e)) {
    if (skip.has(k) || v === undefined) continue;
    // A nested record reads as its fields (recovery.redoFrom=6844), not as JSON.
    const parts =
      typeof v === 'object' && v !== null && !Array.isArray(v)
        ? Object.entries(v)
            .filter(([, sv]) => sv !== undefined)
            .map(
              ([sk, sv]) =>
                `${k}.${sk}=${typeof sv === 'object' && sv !== null ? JSON.stringify(sv) : String(sv)}`,
            )
        : [`${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`];
    all.push(...parts);
    if (!VOLATILE.has(k)) stable.push(...parts);
  }
  return { text: all.join(' '), key: stable.join(' ') };
}

/**
 * The line of an action's output that says how it went, for the timeline, without the
 * `prog:host:user-[LEVEL]:-` prefix: a utility's first ERROR or CRITICAL line; else its last line
 * saying it completed ("…has completed successfully."), else its first WARNING, else its last log
 * line if that is a sentence. A row of a table or a `name = value` line says nothing of how it
 * went (gpstate -m ended "sdw1 /data/mirror/gpseg3 7001 Passive Synchronized"; gpactivatestandby
 * "operational, this could result in database corruption!"): then nothing. Output that is not a
 * utility's log (SQL, an error): its first line.
 */
export function outputGist(output: string): string {
  const lines = output.split('\n').filter((l) => l.trim() && !/^\[exit \d+\]$/.test(l.trim()));
  const logged = lines
    .map((l) => /^[\w.]+:[\w.-]+:[\w.-]+-\[(\w+)\]:-(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ level: m[1]!, text: m[2]!.trim() }))
    .filter((m) => /[A-Za-z0-9]/.test(m.text));
  if (!logged.length) return lines[0] ?? '';
  const bad = logged.find((m) => m.level === 'ERROR' || m.level === 'CRITICAL');
  if (bad) return bad.text;
  const done = logged.findLast((m) => /\b(successfully|completed?)\b/i.test(m.text));
  if (done) return done.text;
  const warned = logged.find((m) => m.level === 'WARNING');
  if (warned) return warned.text;
  const last = logged.at(-1)!.text;
  const row =
    /^[-\s*]/.test(last) || / = /.test(last) || /\S {2,}\S/.test(last) || /^[\w .'()-]+:\s/.test(last);
  const sentence = /^[A-Z]/.test(last) && !row;
  return sentence ? last : '';
}

export class EventLog {
  /** Newest first: what the timeline lists. */
  events: LabEvent[] = [];
  private readonly byKey = new Map<string, LabEvent>();

  /**
   * Adds an event, or folds it into the entry of the same kind, instance and stable fields
   * (which moves to the top with its count, first and last time).
   */
  add(
    ev: {
      seq: number;
      at: number;
      clusterAt?: number | undefined;
      kind: string;
      dbid?: number;
      text: string;
      severity?: Severity;
    },
    key?: string,
  ): LabEvent {
    const k = key === undefined ? undefined : `${ev.kind}|${ev.dbid ?? ''}|${key}`;
    const old = k === undefined ? undefined : this.byKey.get(k);
    const clock = ev.clusterAt === undefined ? {} : { clusterAt: ev.clusterAt };
    if (old && this.events.includes(old)) {
      const next: LabEvent = { ...old, at: ev.at, ...clock, text: ev.text, count: old.count + 1 };
      this.events = [next, ...this.events.filter((e) => e !== old)];
      this.byKey.set(k!, next);
      return next;
    }
    const entry: LabEvent = {
      seq: ev.seq,
      at: ev.at,
      first: ev.at,
      ...(ev.clusterAt === undefined ? {} : { clusterAt: ev.clusterAt, clusterFirst: ev.clusterAt }),
      kind: ev.kind,
      text: ev.text,
      severity: ev.severity ?? severityOf(ev.kind),
      count: 1,
      ...(ev.dbid !== undefined ? { dbid: ev.dbid } : {}),
    };
    this.events = [entry, ...this.events];
    if (k !== undefined) this.byKey.set(k, entry);
    this.trim(entry.severity);
    return entry;
  }

  /** Rewrites the entry with this sequence number (an action's outcome). */
  update(seq: number, patch: Partial<Pick<LabEvent, 'text' | 'severity'>>): void {
    this.events = this.events.map((e) => (e.seq === seq ? { ...e, ...patch } : e));
  }

  /** Drops the oldest entries of a severity over its allowance. */
  private trim(sev: Severity): void {
    let n = 0;
    for (const e of this.events) if (e.severity === sev) n++;
    if (n <= KEEP[sev]) return;
    let drop = n - KEEP[sev];
    const kept: LabEvent[] = [];
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (drop > 0 && e.severity === sev) {
        drop--;
        continue;
      }
      kept.push(e);
    }
    this.events = kept.reverse();
    for (const [k, e] of this.byKey) if (!this.events.includes(e)) this.byKey.delete(k);
  }
}
