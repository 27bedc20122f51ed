/**
 * What one instance card says: its role, its status as the lab knows it (which may be ahead of
 * the catalog: a crashed instance FTS has not probed yet), a copy's progress while gprecoverseg
 * or gpaddmirrors builds it, commits its primary holds for a dead mirror, and its pair.
 */
import { html, nothing } from 'lit';
import type { ClusterStore, CopyProgress } from '../state/cluster-store.ts';
import { inAbout } from '../state/cluster-health.ts';
import type { SyncWait } from '../state/sync-waits.ts';
import { PHASE_WORDS, type RecoveryPhase } from '../state/recovery-phase.ts';
import { tablesNotOn } from '../state/expansion.ts';
import {
  contentLabel,
  copyLabel,
  modeLabel,
  roleLabel,
  type ProcState,
  type SegmentRow,
} from '../state/types.ts';

/** What the card shows as the instance's status: the catalog's, unless the lab knows better. */
export type Effective = 'up' | 'down' | 'crashed' | 'stopped' | 'recovering' | 'starting';

export function effectiveStatus(row: SegmentRow, proc: ProcState | undefined, copying = false): Effective {
  // gprecoverseg stops the target, then copies onto its disk: that is recovery, not a crash.
  if (copying || proc === 'recovering') return 'recovering';
  if (proc === 'crashing' || proc === 'down') return row.status === 'd' ? 'down' : 'crashed';
  if (proc === 'stopped') return row.status === 'd' ? 'down' : 'stopped';
  if (proc === 'starting') return 'starting';
  return row.status === 'd' ? 'down' : 'up';
}

export const STATUS_GLYPH: Record<Effective, string> = {
  up: '✔',
  down: '✖',
  crashed: '✖',
  stopped: '■',
  recovering: '↻',
  starting: '…',
};

export const STATUS_TEXT: Record<Effective, string> = {
  up: 'up',
  down: 'down',
  crashed: 'crashed',
  stopped: 'stopped',
  recovering: 'recovering',
  starting: 'starting',
};

export function roleGlyph(row: SegmentRow): string {
  if (row.content === -1) return row.role === 'p' ? '◆' : '◇';
  return row.role === 'p' ? '●' : '○';
}

/** What the card's details read from the lab's store (undefined for a preview). */
export interface CardContext {
  rows: SegmentRow[];
  store: ClusterStore | undefined;
  proc(dbid: number): ProcState | undefined;
}

export function copyOf(ctx: CardContext, dbid: number): CopyProgress | undefined {
  return ctx.store?.recovery.get(dbid);
}

function pct(c: CopyProgress): number {
  return c.total ? Math.min(100, Math.round((100 * c.done) / c.total)) : 0;
}

/** The status line's words: "recovering: full copy 69%", "crashed", "up". */
export function statusWords(
  eff: Effective,
  copy: CopyProgress | undefined,
  proc: ProcState | undefined,
  phase?: RecoveryPhase,
): string {
  if (eff === 'recovering')
    return copy
      ? `recovering: ${copyLabel(copy.type)} ${pct(copy)}%`
      : phase
        ? `recovering: ${PHASE_WORDS[phase]}`
        : proc === 'recovering'
          ? 'recovering: replaying its WAL'
          : 'recovering';
  return STATUS_TEXT[eff];
}

/** A planned stop: the catalog keeps saying up, and what starts it again. */
function stoppedNote(r: SegmentRow) {
  return html`<span class="line small"
    >stopped by a utility;
    ${r.content === -1 ? 'gpstart -a starts it' : 'gpstart -a or gprecoverseg starts it'}</span
  >`;
}

/** Why the catalog still says up for an instance the lab saw die. */
function unmarkedNote(r: SegmentRow, store: ClusterStore | undefined, partner: SegmentRow | undefined) {
  if (r.content === -1)
    return r.role === 'p'
      ? html`<span class="line small"
          >FTS runs on the coordinator and does not watch it: activate the standby</span
        >`
      : html`<span class="line small"
          >the coordinator stops streaming to it; gpinitstandby -n restarts it</span
        >`;
  if (r.status === 'd') return nothing;
  // A primary whose mirror is not in sync is the content's last copy: FTS never marks it down.
  if (r.role === 'p' && partner && r.mode !== 's')
    return html`<span class="line small"
      >catalog keeps <code>u</code>: its mirror is not in sync, so FTS has no copy to promote (double fault);
      restart it</span
    >`;
  const next = store?.nextProbeInMs();
  const held = store?.holds.has('fts_probe@1');
  return html`<span class="line small"
    >catalog still says <code>u</code>:
    ${held ? 'FTS probes are held' : next === undefined ? 'until FTS probes it' : `FTS probes ${inAbout(next)}`}</span
  >`;
}

/**
 * Commits the primary holds for its mirror (SyncRep): it is not acknowledging them. With the
 * mirror dead only FTS ends the wait; with the mirror alive it is only slow to confirm.
 */
function waitingNote(w: SyncWait, store: ClusterStore | undefined, mirrorDead: boolean) {
  const held = store?.holds.has('fts_probe@1');
  const secs = Math.max(0, (Date.now() - w.since) / 1000);
  const why = !mirrorDead ? 'the mirror is slow to confirm' : held ? 'FTS is held' : 'waiting for FTS';
  return html`<span class="line waiting" data-waiting=${w.count}
    ><span aria-hidden="true">◷</span> not acknowledging: ${w.count} commit${w.count === 1 ? '' : 's'} waiting
    ${secs >= 1 ? `${secs.toFixed(0)} s ` : ''}for the mirror; ${why}</span
  >`;
}

/** The card's lines under its title. */
export function cardDetails(r: SegmentRow, eff: Effective, ctx: CardContext) {
  const partner = ctx.rows.find((x) => x.content === r.content && x.dbid !== r.dbid);
  const mismatch = r.role !== r.preferredRole;
  const copy = copyOf(ctx, r.dbid);
  const proc = ctx.proc(r.dbid);
  const store = ctx.store;
  const wait = r.role === 'p' ? store?.syncWaits.get(r.content) : undefined;
  const partnerDead = partner && effectiveStatus(partner, ctx.proc(partner.dbid)) !== 'up';
  let mode: unknown = nothing;
  if (r.content >= 0) {
    if (!partner) mode = html`<span class="line mode muted">– no mirror</span>`;
    else if (wait && wait.dbid === r.dbid) mode = waitingNote(wait, store, !!partnerDead);
    else if (r.mode === 's' && partnerDead && eff === 'up')
      mode = html`<span class="line mode warn">⇄ synced in the catalog; its pair is not answering</span>`;
    else if (r.role === 'm' && r.mode !== 's' && eff === 'up' && !partnerDead) {
      const lag = store?.health.replication.get(r.content)?.lagBytes;
      mode = html`<span class="line mode warn"
        >⇥ catching up${lag !== undefined ? `: ${(lag / 1024).toFixed(1)} kB behind` : ''}</span
      >`;
    } else mode = html`<span class="line mode">${r.mode === 's' ? '⇄' : '⇥'} ${modeLabel(r.mode)}</span>`;
  }
  return html` <span class="line role">
      ${roleLabel(r.role, r.content)}${mismatch ? html` <span class="warn">⚠ preferred ${roleLabel(r.preferredRole, r.content)}</span>` : nothing}
    </span>
    <span class="line status"
      ><span class="glyph st" aria-hidden="true">${STATUS_GLYPH[eff]}</span>
      ${statusWords(eff, copy, proc, store?.recoveryPhase.get(r.dbid))}</span
    >
    ${copy ? html`<progress class="copy" max=${copy.total || 1} .value=${copy.done}></progress>` : nothing}
    ${eff === 'crashed' && !copy ? unmarkedNote(r, store, partner) : nothing}
    ${eff === 'stopped' && !copy ? stoppedNote(r) : nothing} ${mode}
    ${
      partner
        ? html`<span class="line small pair"
            >↔ ${roleLabel(partner.role, partner.content)} dbid ${partner.dbid} on ${partner.hostname}</span
          >`
        : nothing
    }
    ${newSegmentNote(r, store)}
    <span class="line port muted">:${r.port}</span>`;
}

/** A segment gpexpand added, while tables still wait on the old ones: none of their rows is here. */
function newSegmentNote(r: SegmentRow, store: ClusterStore | undefined) {
  const v = store?.expansion;
  if (!v || r.content < 0) return nothing;
  const left = tablesNotOn(v, r.content);
  if (!left) return nothing;
  return html`<span class="line small new-seg"
    >+ new (gpexpand): ${left} table${left === 1 ? '' : 's'} not here yet</span
  >`;
}

/** The card's title row. */
export function cardTop(r: SegmentRow, eff: Effective, compact: boolean) {
  return html`<span class="top">
    <span class="glyph role-glyph" aria-hidden="true">${roleGlyph(r)}</span>
    <span class="content">${contentLabel(r.content)}</span>
    ${
      compact
        ? html`<span class="glyph st" aria-hidden="true">${STATUS_GLYPH[eff]}</span
            ><span class="sr-only"
              >, dbid ${r.dbid}, ${roleLabel(r.role, r.content)},
              ${STATUS_TEXT[eff]}${r.content >= 0 ? `, ${modeLabel(r.mode)}` : ''}</span
            >`
        : html`<span class="dbid">dbid ${r.dbid}</span>`
    }
  </span>`;
}
