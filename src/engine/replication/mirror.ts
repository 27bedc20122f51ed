/**
 * A mirror: an instance in standby mode whose walreceiver takes WAL from its primary, and
 * which FTS promotes when the primary fails (a new timeline begins there).
 */
import type { Instance } from '../instance/instance.ts';
import type { Lsn } from '../storage/lsn.ts';
import type { TimelineEntry } from '../wal/segments.ts';
import type { MirrorApi, WalStatus } from './protocol.ts';
import { WalReceiver } from './walreceiver.ts';

export class MirrorReplication implements MirrorApi {
  private readonly inst: Instance;
  readonly receiver: WalReceiver;
  private readonly onPromoted: () => Promise<void>;
  private promoting: Promise<void> | undefined;

  constructor(inst: Instance, onPromoted: () => Promise<void>) {
    this.inst = inst;
    this.receiver = new WalReceiver(inst);
    this.onPromoted = onPromoted;
  }

  async identify(): Promise<WalStatus & { systemIdentifier: string }> {
    return { ...this.receiver.status(), systemIdentifier: this.inst.control.systemIdentifier };
  }

  receiveWal(start: Lsn, data: ArrayBuffer, history: TimelineEntry[]): Promise<WalStatus> {
    return this.receiver.receive(start, data, history);
  }

  /** PROMOTE: finish replaying what arrived, end recovery on a new timeline, serve as primary. */
  async promote(): Promise<{ isRoleMirror: boolean }> {
    if (!this.inst.standby && !this.promoting) return { isRoleMirror: false };
    this.promoting ??= (async () => {
      await this.inst.replayer.replayAvailable(true);
      await this.inst.finishRecovery(true);
      await this.onPromoted();
    })().catch((e: unknown) => {
      // Still a standby: a later PROMOTE (FTS resends it) tries again. Past the end of recovery
      // (the end-of-recovery checkpoint failed, say on a full disk) it is a PANIC, as in Postgres.
      this.promoting = undefined;
      if (!this.inst.standby) this.inst.panic(e instanceof Error ? e : new Error(String(e)));
      throw e;
    });
    await this.promoting;
    return { isRoleMirror: false };
  }
}
