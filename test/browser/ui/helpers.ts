/** Test helpers for the lab's components: polling with a deadline and shadow-DOM lookups. */
import type { LitElement } from 'lit';
import { waitFor } from '../../support/wait.ts';

/**
 * Polls `fn` until it returns a truthy value (returned) or the deadline passes (throws): the
 * support's waitFor, for synchronous looks at the DOM, where an element not rendered yet may
 * throw; the last such error is reported at the deadline.
 */
export async function until<T>(
  fn: () => T | undefined | null | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  let last: unknown;
  const look = (): T | undefined => {
    try {
      return fn() || undefined;
    } catch (e) {
      last = e;
      return undefined;
    }
  };
  try {
    return await waitFor(look, timeoutMs, what);
  } catch (e) {
    throw new Error(`${(e as Error).message}${last ? ` (last error: ${String(last)})` : ''}`, { cause: e });
  }
}

/** The element matching `selector` in `host`'s shadow root. */
export function inShadow<E extends Element = HTMLElement>(
  host: Element | null | undefined,
  selector: string,
): E | null {
  return (host?.shadowRoot?.querySelector<E>(selector) as E | null) ?? null;
}

export function allInShadow<E extends Element = HTMLElement>(
  host: Element | null | undefined,
  selector: string,
): E[] {
  return [...(host?.shadowRoot?.querySelectorAll<E>(selector) ?? [])];
}

/** Mounts an element in document.body and waits for its first render. */
export async function mount<E extends LitElement>(el: E): Promise<E> {
  document.body.append(el);
  await el.updateComplete;
  return el;
}

/** Fails on Lit's dev-mode class-field-shadowing warning, the sign of a broken decorator setup. */
export function watchLitWarnings(): { check(): void; restore(): void } {
  const seen: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    seen.push(args.map(String).join(' '));
    original.apply(console, args);
  };
  return {
    check() {
      const bad = seen.filter((s) => s.includes('class-field-shadowing'));
      if (bad.length) throw new Error(`Lit warned: ${bad.join('\n')}`);
    },
    restore() {
      console.warn = original;
    },
  };
}

/** An element's text with runs of whitespace collapsed, as a reader sees it. */
export function text(el: Element | null | undefined): string {
  return (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** Waits for the lab's confirmation dialog, returns its text and answers it. */
export async function answerConfirm(lab: Element, yes = true): Promise<string> {
  const dialog = await until(
    () => inShadow<HTMLDialogElement>(lab, 'dialog.confirm[open]'),
    'the confirmation dialog',
  );
  const said = text(dialog);
  dialog.querySelector<HTMLButtonElement>(`[data-confirm="${yes ? 'yes' : 'no'}"]`)!.click();
  await until(() => !dialog.open, 'the dialog to close');
  return said;
}

/** Labs mounted by `bootLab`, removed by `removeLabs` (call it in afterEach). */
const booted: HTMLElement[] = [];

/** Mounts an <mpp-ha-lab> with these attributes and waits until its cluster is up. */
export async function bootLab<E extends LitElement & { store: { state: string } }>(
  attrs: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<E> {
  const el = document.createElement('mpp-ha-lab') as unknown as E;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  booted.push(el);
  await mount(el);
  await until(() => el.store.state === 'ready', 'the cluster to boot', timeoutMs);
  return el;
}

export function removeLabs(): void {
  for (const el of booted.splice(0)) el.remove();
}
