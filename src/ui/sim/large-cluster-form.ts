/** The Simulation panel's form for a simulated cluster too large for one worker per instance. */
import { html } from 'lit';

export interface LargeClusterHost {
  hosts: number;
  segments: number;
  mirroring: 'group' | 'spread';
  setHosts(n: number): void;
  setSegments(n: number): void;
  setMirroring(m: 'group' | 'spread'): void;
  boot(e: Event): void;
}

/** A whole number from an input, kept within [min, max] (`dflt` when it is not one). */
export function clampedInt(v: string, min: number, max: number, dflt: number): number {
  return Math.max(min, Math.min(max, Math.floor(Number(v)) || dflt));
}

export function largeClusterForm(h: LargeClusterHost) {
  const value = (e: Event) => (e.target as HTMLInputElement).value;
  return html`<h3>Simulate a large cluster</h3>
    <form @submit=${(e: Event) => h.boot(e)}>
      <label
        >Hosts<input
          type="number"
          min="2"
          max="64"
          .value=${String(h.hosts)}
          @change=${(e: Event) => h.setHosts(clampedInt(value(e), 2, 64, 16))}
      /></label>
      <label
        >Segments per host<input
          type="number"
          min="1"
          max="16"
          .value=${String(h.segments)}
          @change=${(e: Event) => h.setSegments(clampedInt(value(e), 1, 16, 8))}
      /></label>
      <label
        >Mirroring<select
          .value=${h.mirroring}
          @change=${(e: Event) => h.setMirroring(value(e) as 'group' | 'spread')}
        >
          <option value="group">group</option>
          <option value="spread">spread</option>
        </select></label
      >
      <button type="submit">Start simulated cluster</button>
    </form>
    <p class="muted">
      Every instance runs in this tab on virtual time (the sim runtime), so a cluster of hundreds of instances
      boots in a moment; fail a host and watch where its primaries land.
    </p>`;
}
