/**
 * When the worker runtime saves its cluster's topology (every instance's row, for a resume after
 * a reload): soon after each event that may have changed it, one save at a time, the last change
 * always covered. While the cluster starts, an instance's own start (its crash recovery, then
 * up) changes no role: it waits for the one save at the end of the start instead of writing every
 * row to IndexedDB, on the page's thread, 130 times over. Other changes during a start (FTS
 * promoting a mirror during a resume) are saved at once.
 */
import { Coalesced } from './coalesced.ts';
import { SAVE_AFTER } from './process-protocol.ts';
import type { EventKind } from '../runtime/events.ts';

/** The events of an instance starting. */
const STARTING: ReadonlySet<EventKind> = new Set<EventKind>([
  'recovery.start',
  'recovery.done',
  'instance.up',
]);

/** Whether an event asks for a save, during a start or after it. */
export function savesAfter(kind: EventKind, starting: boolean): boolean {
  return SAVE_AFTER.has(kind) && !(starting && STARTING.has(kind));
}

export class TopologySaves {
  private readonly save: () => Promise<void>;
  private readonly soon: Coalesced;
  private starting = false;

  constructor(save: () => Promise<void>) {
    this.save = save;
    this.soon = new Coalesced(save);
  }

  /** Runs a boot or a resume, then saves once; a start that fails saves nothing here. */
  async whileStarting(start: () => Promise<void>): Promise<void> {
    this.starting = true;
    try {
      await start();
    } finally {
      this.starting = false;
    }
    await this.save();
  }

  /** After an event: a save soon, when it may have changed the topology. */
  noteEvent(kind: EventKind): void {
    if (savesAfter(kind, this.starting)) this.soon.request();
  }

  /** Settles when the save in progress (if any) has ended. */
  settled(): Promise<void> {
    return this.soon.settled();
  }

  /** Saves now (closing). */
  now(): Promise<void> {
    return this.save();
  }
}
