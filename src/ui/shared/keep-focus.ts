/**
 * Keeps keyboard focus across a busy spell. A button pressed to start work is disabled while
 * the work runs, and a disabled button loses focus to the page: a keyboard user would land at
 * the top of the document. When the host stops being busy, the control that had focus gets it
 * back, if nothing else took it meanwhile and the control is still there and enabled.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class KeepFocusWhileBusy implements ReactiveController {
  private readonly host: ReactiveControllerHost & HTMLElement;
  private readonly busy: () => boolean;
  private wasBusy = false;
  private held: HTMLElement | undefined;

  constructor(host: ReactiveControllerHost & HTMLElement, busy: () => boolean) {
    this.host = host;
    this.busy = busy;
    host.addController(this);
  }

  hostUpdate(): void {
    // Before the render that disables it, the pressed control still has focus.
    if (this.busy() && !this.wasBusy) this.held = focusedIn(this.host);
  }

  hostUpdated(): void {
    const busy = this.busy();
    if (!busy && this.wasBusy) {
      const el = this.held;
      this.held = undefined;
      const lost = !focusedIn(this.host) && isNothingFocused(this.host);
      if (el?.isConnected && lost && !(el as HTMLButtonElement).disabled) el.focus();
    }
    this.wasBusy = busy;
  }
}

/** The element focused inside `host` (through open shadow roots), if any. */
function focusedIn(host: HTMLElement): HTMLElement | undefined {
  let el: Element | null | undefined = host.shadowRoot?.activeElement ?? undefined;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLElement ? el : undefined;
}

/** Focus is nowhere: on the body, or on nothing. */
function isNothingFocused(host: HTMLElement): boolean {
  const active = host.ownerDocument.activeElement;
  return active === null || active === host.ownerDocument.body;
}
