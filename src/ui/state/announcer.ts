/**
 * What the lab says to a screen reader: news is gathered for a moment and spoken as one polite
 * summary, so a host crash (a dozen events in a second) is one announcement, not a dozen that
 * overwrite each other every 100 ms.
 */

/** How long news settles before it is spoken, and the longest it may wait. */
const QUIET_MS = 900;
const MAX_WAIT_MS = 2500;
/**
 * How long a summary stays on screen: news goes stale (a crash announced stays announced after
 * the instance is back), and the event timeline keeps the history.
 */
const SHOW_MS = 20_000;
/** Sentences spoken in one summary; the rest are counted. */
const MAX_SENTENCES = 3;

export class Announcer {
  /** The text the live region holds now. */
  current = '';
  private pending: string[] = [];
  private firstAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private clearTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onSpeak: () => void;

  constructor(onSpeak: () => void) {
    this.onSpeak = onSpeak;
  }

  /** Queues a sentence; a repeat of one already queued is dropped. */
  say(text: string, now = Date.now()): void {
    if (!text || this.pending.includes(text)) return;
    if (!this.pending.length) this.firstAt = now;
    this.pending.push(text);
    clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(QUIET_MS, this.firstAt + MAX_WAIT_MS - now));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Speaks what is queued now, as one summary. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length) return;
    this.current = summarizeNews(this.pending);
    this.pending = [];
    this.onSpeak();
    clearTimeout(this.clearTimer);
    this.clearTimer = setTimeout(() => {
      this.current = '';
      this.onSpeak();
    }, SHOW_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.clearTimer);
    this.pending = [];
  }
}

/** One sentence, or "3 updates: A B C" with the rest counted. */
export function summarizeNews(items: string[]): string {
  if (items.length === 1) return items[0]!;
  const shown = items.slice(0, MAX_SENTENCES).map((s) => (/[.!?]$/.test(s) ? s : `${s}.`));
  const more = items.length - shown.length;
  return `${items.length} updates: ${shown.join(' ')}${more ? ` And ${more} more in the event timeline.` : ''}`;
}
