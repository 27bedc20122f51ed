/**
 * What the lab says while the cluster changes, on the inline runtime: a copy's progress on the
 * card for every gprecoverseg mode, gpaddmirrors' base backups, and one polite summary per
 * burst of news during a host crash (not an assertive region rewritten every 100 ms).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import '../../../src/ui/lab/mpp-ha-lab.ts';
import type { MppHaLab } from '../../../src/ui/lab/mpp-ha-lab.ts';
import * as act from '../../../src/ui/state/actions.ts';
import { effectiveStatus, statusWords } from '../../../src/ui/topology/instance-card.ts';
import { allInShadow, bootLab as bootLabIn, inShadow, removeLabs, text, until } from './helpers.ts';

afterEach(removeLabs);

const bootLab = (attrs: Record<string, string>) => bootLabIn<MppHaLab>(attrs);

const card = (el: MppHaLab, dbid: number) =>
  inShadow(inShadow(el, '.p-topology mpp-topology'), `button.card[data-dbid="${dbid}"]`);

describe('status while the cluster changes', () => {
  it("every copy mode draws its progress on the card, as the legend's recovering state", async () => {
    await page.viewport(1280, 900);
    const el = await bootLab({ 'workload-rate': '0' });
    const s = el.store;
    const modes = [
      ['full', /recovering: full copy 25%/],
      ['incremental', /recovering: incremental \(pg_rewind\) 25%/],
      ['differential', /recovering: differential copy 25%/],
      ['resync', /recovering: resynchronization 25%/],
    ] as const;
    for (const [type, want] of modes) {
      s.recovery.set(6, { done: 1, total: 4, type });
      s.changed();
      await until(() => want.test(text(card(el, 6))), `the ${type} copy on the card`);
      expect(card(el, 6)!.dataset['status']).toBe('recovering');
      const bar = card(el, 6)!.querySelector<HTMLProgressElement>('progress.copy')!;
      expect([bar.value, bar.max]).toEqual([1, 4]);
      await until(
        () =>
          /Recovery in progress[\s\S]*dbid 6: [^%]+ 25% of 4 bytes/.test(
            text(inShadow(inShadow(el, 'mpp-recommendations'), 'ul')),
          ),
        'the recommendation to wait for the copy',
      );
    }
    await page.screenshot({ path: '__screenshots__/status-copy-on-card.png' });
    // The instance starting (after the copy) ends it.
    s.recovery.clear();
    s.changed();
    await until(() => !card(el, 6)!.querySelector('progress'), 'no bar once the copy is done');
  });

  it('a refused restart is reported as failed; a crashed last copy is not promised an FTS probe', async () => {
    const el = await bootLab({ 'workload-rate': '0' });
    const s = el.store;
    // Content 0's primary fails over to dbid 6; the former primary refuses to start by itself.
    await act.crash(s, 2);
    await act.sql(s, 'select gp_request_fts_probe_scan()');
    await until(() => s.config.find((r) => r.dbid === 6)?.role === 'p', 'FTS to promote dbid 6', 30_000);
    expect(await act.restart(s, 2)).toBe(false);
    expect(s.actions[0]!.ok).toBe(false);
    expect(s.actions[0]!.output).toMatch(
      /dbid 2 did not start: a former primary must be recovered with gprecoverseg/,
    );
    // Content 1: its mirror dies and is marked down, then its primary: a double fault. The
    // catalog keeps the primary up, and the card says why rather than counting down to a probe.
    await act.crash(s, 7);
    await act.sql(s, 'select gp_request_fts_probe_scan()');
    await until(() => s.config.find((r) => r.dbid === 7)?.status === 'd', 'FTS to mark dbid 7 down', 30_000);
    await act.crash(s, 3);
    await until(
      () => /catalog keeps u: its mirror is not in sync/.test(text(card(el, 3))),
      'the double-fault note',
    );
    expect(text(card(el, 3))).not.toMatch(/FTS probes/);
    // At a phone's width the note wraps inside its card.
    await page.viewport(390, 844);
    await until(() => card(el, 3)!.getBoundingClientRect().width <= 390, 'the card at 390 px');
    const note = [...card(el, 3)!.querySelectorAll<HTMLElement>('.line')].find((l) =>
      /catalog keeps/.test(text(l)),
    )!;
    expect(note.getBoundingClientRect().right).toBeLessThanOrEqual(
      card(el, 3)!.getBoundingClientRect().right,
    );
  });

  it('gprecoverseg -aF: the target stays recovering from its copy until it is up and streamed to, never down', async () => {
    const el = await bootLab({ 'workload-rate': '0' });
    const s = el.store;
    await act.crash(s, 6);
    await act.sql(s, 'select gp_request_fts_probe_scan()');
    await until(() => s.config.find((r) => r.dbid === 6)?.status === 'd', 'FTS to mark dbid 6 down', 30_000);
    // After every event (the store has handled it first) and every store change: what the card
    // would say.
    const seen: string[] = [];
    const sample = () => {
      const row = s.config.find((r) => r.dbid === 6)!;
      const eff = effectiveStatus(row, s.proc.get(6), s.recovery.has(6));
      const words = statusWords(eff, s.recovery.get(6), s.proc.get(6), s.recoveryPhase.get(6));
      if (seen.at(-1) !== words) seen.push(words);
    };
    const offEvents = s.cluster!.subscribe(sample);
    const offChanges = s.onChange(sample);
    expect(await act.utility(s, 'gprecoverseg -aF')).toBe(true);
    await until(() => seen.at(-1) === 'up', 'dbid 6 up and streamed to', 30_000);
    offEvents();
    offChanges();
    const from = seen.findIndex((w) => w.startsWith('recovering'));
    expect(from, seen.join(' | ')).toBeGreaterThanOrEqual(0);
    const after = seen.slice(from);
    const end = after.findIndex((w) => w === 'up');
    expect(end, seen.join(' | ')).toBeGreaterThan(0);
    expect(
      after.slice(0, end).every((w) => w.startsWith('recovering')),
      seen.join(' | '),
    ).toBe(true);
    expect(seen, 'the copy, then the instance starting').toContain('recovering: starting its instance');
    expect(s.events.filter((e) => e.kind === 'instance.crash' && e.dbid === 6)).toHaveLength(1);
  });

  it('while a utility runs, the recommendations offer no action, only what informs', async () => {
    const el = await bootLab({ 'workload-rate': '0' });
    const s = el.store;
    await act.crash(s, 2);
    await act.sql(s, 'select gp_request_fts_probe_scan()');
    const recs = inShadow(el, 'mpp-recommendations')!;
    const ids = () => allInShadow(recs, '[data-rec]').map((r) => r.dataset['rec']);
    await until(() => ids().includes('recover'), 'the recommendation to recover', 30_000);
    const a = s.beginAction('utility', 'gprecoverseg -a');
    await until(() => ids()[0] === 'utility-running', 'the wait');
    expect(ids()).not.toContain('recover');
    expect(allInShadow(recs, '[data-rec-action]')).toEqual([]);
    expect(text(inShadow(recs, '[data-rec="utility-running"]'))).toMatch(/Wait: gprecoverseg -a is running/);
    s.finishAction(a, true, '');
    await until(() => ids().includes('recover'), 'the recommendation back once it finished');
  });

  it('gpaddmirrors reports the progress of each new mirror’s base backup', async () => {
    const el = await bootLab({ 'workload-rate': '0', mirroring: 'none', standby: 'false' });
    expect(await act.utility(el.store, 'gpaddmirrors -a')).toBe(true);
    const copied = new Set(el.store.events.filter((e) => e.kind === 'recovery.progress').map((e) => e.dbid));
    expect([...copied].sort()).toEqual([6, 7, 8, 9]);
    await until(
      () => el.store.config.filter((r) => r.role === 'm').length === 4,
      'four mirrors in the catalog',
    );
  });

  it('a host crash is announced politely, as a few summaries, not a stream', async () => {
    await page.viewport(1280, 900);
    const el = await bootLab({ 'workload-rate': '4' });
    const region = inShadow(el, '.announce')!;
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(region.getAttribute('role')).toBe('status');
    const said: string[] = [];
    const watch = new MutationObserver(() => said.push(text(region)));
    watch.observe(region, { childList: true, characterData: true, subtree: true });
    await act.crash(el.store, 'sdw1');
    await until(
      () => el.store.config.filter((r) => r.role === 'p' && r.preferredRole === 'm').length === 2,
      'both failovers',
      30_000,
    );
    await new Promise((r) => setTimeout(r, 3000)); // the summaries still to come
    watch.disconnect();
    const distinct = [...new Set(said.filter(Boolean))];
    expect(distinct.length).toBeGreaterThan(0);
    expect(distinct.length).toBeLessThanOrEqual(4);
    expect(distinct.some((t) => /updates: /.test(t))).toBe(true);
    expect(allInShadow(el, '[aria-live="assertive"]')).toEqual([]);
  });
});
