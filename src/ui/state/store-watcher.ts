import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ClusterStore } from './cluster-store.ts';

/**
 * Re-renders its host whenever the host's `store` changes state. It follows the host's
 * `store` property (which the parent may set or replace at any time), subscribing while the
 * host is connected and unsubscribing when it leaves the page.
 */
export class StoreWatcher implements ReactiveController {
  private readonly host: ReactiveControllerHost & { store?: ClusterStore | undefined };
  private watching: ClusterStore | undefined;
  private off: (() => void) | undefined;
  private connected = false;

  constructor(host: ReactiveControllerHost & { store?: ClusterStore | undefined }) {
    this.host = host;
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    this.follow();
  }

  hostUpdate(): void {
    this.follow();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.off?.();
    this.off = undefined;
    this.watching = undefined;
  }

  private follow(): void {
    const s = this.connected ? this.host.store : undefined;
    if (s === this.watching) return;
    this.off?.();
    this.watching = s;
    this.off = s?.onChange(() => this.host.requestUpdate());
  }
}
