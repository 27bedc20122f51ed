/**
 * Work run one at a time, coalesced: asked for while it runs, it runs once more afterwards
 * (so the last change is always covered), however many times it was asked meanwhile. The
 * worker runtime saves its topology this way after each event that may have changed it.
 */
export class Coalesced {
  private readonly work: () => Promise<void>;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(work: () => Promise<void>) {
    this.work = work;
  }

  request(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.work()
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.request();
        }
      });
  }

  /** Settles when the run in progress (if any) has ended. */
  async settled(): Promise<void> {
    await this.running;
  }
}
