/** The lines the topology draws between cards: mirror pairs (WAL) and FTS probes. */

export interface LinkGeometry {
  /** A primary and its mirror (or the coordinator and its standby), or an FTS probe's path. */
  kind: 'pair' | 'probe';
  d: string;
  content: number;
  /** Both ends up and in sync. */
  ok: boolean;
  /** WAL sent over the pair per second (bytes; 0 when idle or unknown). */
  rate: number;
  /** The free space the line crosses between the two cards (px): where its label must fit. */
  gap: number;
}

/** The space between two cards along the line joining them (side by side, or one above the other). */
export function linkGap(a: DOMRect, b: DOMRect): number {
  const side =
    Math.abs(b.left + b.width / 2 - (a.left + a.width / 2)) >
    Math.abs(b.top + b.height / 2 - (a.top + a.height / 2));
  if (side) return Math.max(0, a.left < b.left ? b.left - a.right : a.left - b.right);
  return Math.max(0, a.top < b.top ? b.top - a.bottom : a.top - b.bottom);
}

/** The rate's text, drawn along the line only where it fits the gap (10 px text, about 6 px a character). */
export function rateLabelFits(text: string, gap: number): boolean {
  return text.length * 6 + 8 <= gap;
}

/** WAL per second in the unit that reads best. */
export function formatRate(bytesPerSec: number): string {
  return bytesPerSec >= 1024 * 1024
    ? `${(bytesPerSec / 1024 / 1024).toFixed(1)} MB/s`
    : bytesPerSec >= 1024
      ? `${(bytesPerSec / 1024).toFixed(1)} kB/s`
      : `${bytesPerSec} B/s`;
}

/**
 * A curve between two cards: side to side when they sit next to each other, bottom to top
 * when one is above the other. Cards paint over the curve, so it shows in the gaps.
 */
export function linkPath(a: DOMRect, b: DOMRect, origin: DOMRect): string {
  const ax = a.left + a.width / 2;
  const ay = a.top + a.height / 2;
  const bx = b.left + b.width / 2;
  const by = b.top + b.height / 2;
  const f = (x: number, y: number) => `${(x - origin.left).toFixed(1)},${(y - origin.top).toFixed(1)}`;
  if (Math.abs(bx - ax) > Math.abs(by - ay)) {
    const [l, r] = ax < bx ? [a, b] : [b, a];
    const y1 = l.top + l.height / 2;
    const y2 = r.top + r.height / 2;
    const bend = Math.max(20, (r.left - l.right) / 2);
    return `M${f(l.right, y1)} C${f(l.right + bend, y1)} ${f(r.left - bend, y2)} ${f(r.left, y2)}`;
  }
  const [t, u] = ay < by ? [a, b] : [b, a];
  const x1 = t.left + t.width / 2;
  const x2 = u.left + u.width / 2;
  const bend = Math.max(20, (u.top - t.bottom) / 2);
  return `M${f(x1, t.bottom)} C${f(x1, t.bottom + bend)} ${f(x2, u.top - bend)} ${f(x2, u.top)}`;
}
