/** The simulator's pending events, a binary heap ordered by virtual time, seeded rank, then order. */

export interface SimEvent {
  at: number;
  /** Seeded tie-break among events due at the same time. */
  rank: number;
  seq: number;
  label: string;
  fire: () => void;
  cancelled: boolean;
}

export class EventQueue {
  private readonly heap: SimEvent[] = [];

  push(ev: SimEvent): void {
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  /** The next event not cancelled, removed; undefined when none is left. */
  pop(): SimEvent | undefined {
    const h = this.heap;
    for (;;) {
      const top = h[0];
      if (!top) return undefined;
      const last = h.pop()!;
      if (h.length > 0) {
        h[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && less(h[l]!, h[m]!)) m = l;
          if (r < h.length && less(h[r]!, h[m]!)) m = r;
          if (m === i) break;
          [h[i], h[m]] = [h[m]!, h[i]!];
          i = m;
        }
      }
      if (!top.cancelled) return top;
    }
  }
}

function less(a: SimEvent, b: SimEvent): boolean {
  return a.at !== b.at ? a.at < b.at : a.rank !== b.rank ? a.rank < b.rank : a.seq < b.seq;
}
