/**
 * The walsender of a primary: streams its flushed WAL to its mirror and tracks how far the
 * mirror has written, flushed and replayed it. States as pg_stat_replication shows them:
 * startup (connecting) → catchup (sending WAL the mirror lacks) → streaming (caught up).
 *
 * It reports each flush position the mirror acknowledges (`events.flushed`); synchronous
 * replication's waiters live in PrimaryReplication, so they outlive a reconnection.
 */
import type { Instance } from '../instance/instance.ts';
import type { Clock } from '../runtime/clock.ts';
import { formatLsn, type Lsn } from '../storage/lsn.ts';
import type { WalStatus } from './protocol.ts';
import type { TimelineEntry } from '../wal/segments.ts';
import { SLOT_NAME, slotLost } from './slot.ts';

export type WalSenderState = 'startup' | 'catchup' | 'streaming' | 'stopped';

/** How the walsender reaches its mirror (the runtime's link). */
export interface MirrorLink {
  identify(): Promise<WalStatus & { systemIdentifier: string }>;
  receiveWal(start: Lsn, data: ArrayBuffer, history: TimelineEntry[]): Promise<WalStatus>;
}

const CHUNK = 256 * 1024;

/** What a walsender tells its primary's replication, and the hold it honours. */
export interface WalSenderEvents {
  /** The mirror reports a new flush position (sync rep waiters live above). */
  flushed(flush: Lsn): void;
  /** The mirror has caught up: every WAL byte flushed here is flushed there too. */
  streaming(): void;
  /** A connection to the mirror ended (it broke, or timed out). */
  disconnected(): void;
  /** Test hold: awaited before each chunk is sent ('wal_sender_loop'). */
  hold(): Promise<void>;
}

export class WalSender {
  private readonly inst: Instance;
  private readonly link: MirrorLink;
  private readonly clock: Clock;
  state: WalSenderState = 'stopped';
  sent: Lsn = 0;
  write: Lsn = 0;
  flush: Lsn = 0;
  replay: Lsn = 0;
  /** At least one chunk was written by the mirror since this connection started (GP PR #12106). */
  sentSomething = false;
  /** When the last connection ended (ms), and how many attempts failed in a row. */
  lastDisconnect: number;
  failedAttempts = 0;
  /** 'walread' when WAL the mirror needs was already removed: only a full rebuild helps. */
  syncError: 'none' | 'walread' = 'none';
  backendStart: number | undefined;
  private running = false;
  private wake: (() => void) | undefined;
  readonly retryMs: number;
  private readonly events: WalSenderEvents;
  /** Stops waking on the instance's WAL flushes. */
  private readonly unsubscribe: () => void;
  /** Why the mirror could not be reached, while it cannot (reported once). */
  private unreachableReason: string | undefined;

  constructor(inst: Instance, link: MirrorLink, clock: Clock, retryMs: number, events: WalSenderEvents) {
    this.inst = inst;
    this.link = link;
    this.clock = clock;
    this.retryMs = retryMs;
    this.events = events;
    this.lastDisconnect = clock.now();
    this.unsubscribe = inst.onWalFlush(() => this.wake?.());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  stop(): void {
    this.running = false;
    this.state = 'stopped';
    this.unsubscribe();
    this.wake?.();
  }

  private reachStreaming(): void {
    this.state = 'streaming';
    this.events.streaming();
  }

  /** The connection to the mirror broke (its process died): noticed at once, as a closed socket is. */
  connectionLost(): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.lastDisconnect = this.clock.now();
    this.wake?.();
    this.events.disconnected();
  }

  private async loop(): Promise<void> {
    while (this.running && this.inst.state === 'running') {
      let connected = false;
      try {
        // No walsender exists (and pg_stat_replication shows none) until the mirror answers:
        // in Greenplum the walsender is the backend of the mirror's walreceiver connection.
        let id: Awaited<ReturnType<MirrorLink['identify']>>;
        try {
          id = await this.link.identify();
        } catch (e) {
          // A mirror that is down makes no attempts at all (in Greenplum the mirror's
          // walreceiver connects to the primary): the grace period keeps counting from the
          // moment the stream broke.
          this.state = 'stopped';
          if (!this.running) return;
          // Once per outage (and again if the reason changes), not once per retry: a mirror
          // that takes seconds to start must not flood the event stream (and, on workers, the
          // page) with the same line.
          const reason = (e as Error).message;
          if (reason !== this.unreachableReason) {
            this.unreachableReason = reason;
            this.inst.rt.trace({ kind: 'walsender.unreachable', reason });
          }
          await this.clock.sleep(this.retryMs);
          continue;
        }
        connected = true;
        this.unreachableReason = undefined;
        this.state = 'startup';
        if (slotLost(this.inst)) {
          this.syncError = 'walread';
          throw new Error(`can no longer get changes from replication slot "${SLOT_NAME}"`);
        }
        this.backendStart = this.clock.now();
        this.sent = this.write = this.flush = id.flushed;
        this.replay = id.replayed;
        this.sentSomething = false;
        this.state = 'catchup';
        this.inst.rt.trace({ kind: 'walsender.connected', from: formatLsn(id.flushed) });
        await this.stream();
      } catch (e) {
        if (!this.running) return;
        this.state = 'stopped';
        this.lastDisconnect = this.clock.now();
        // Replication that keeps failing on a live mirror (gp_fts_replication_attempt_count).
        if (connected && !this.sentSomething) this.failedAttempts++;
        this.inst.rt.trace({ kind: 'walsender.disconnected', reason: (e as Error).message });
        this.events.disconnected();
        if (this.syncError === 'walread') return;
        await this.clock.sleep(this.retryMs);
      }
    }
  }

  private async stream(): Promise<void> {
    while (this.running && this.inst.state === 'running') {
      await this.events.hold();
      if (this.state === 'stopped') throw new Error('connection to the mirror was lost');
      const target = this.inst.wal.flushedLsn;
      if (this.sent < target) {
        const n = Math.min(CHUNK, target - this.sent);
        const bytes = this.inst.files.read(this.sent, n);
        if (!bytes) {
          this.syncError = 'walread';
          throw new Error(`requested WAL segment for ${formatLsn(this.sent)} has already been removed`);
        }
        // One chunk in flight: the next goes once the mirror has flushed this one, and covers
        // every flush made here meanwhile. Sending each flush at once (Postgres' walsender does
        // not wait for replies) was measured worse here: the mirrors' syncs share the origin's
        // IndexedDB commits with the primaries', and at 64 sessions on 2 x 2 they rose from
        // 0.49-0.51 to 0.60 syncs per commit, and commits/s fell (bench, 2026-12-07).
        // `read` copied them into a buffer of their own: it goes as it is.
        const st = await this.link.receiveWal(
          this.sent,
          bytes.buffer as ArrayBuffer,
          this.inst.files.history,
        );
        this.sent += n;
        this.update(st);
        this.sentSomething = true;
        // CATCHUP → STREAMING happens once per connection and never goes back (Postgres).
        if (this.state !== 'streaming' && this.sent >= this.inst.wal.flushedLsn) this.reachStreaming();
        this.failedAttempts = 0;
        continue;
      }
      if ((this.state as WalSenderState) !== 'stopped' && this.state !== 'streaming') this.reachStreaming();
      let settle!: (woken: boolean) => void;
      const wait = new Promise<boolean>((resolve) => (settle = resolve));
      this.wake = () => settle(true);
      // Keepalive: without new WAL, check the mirror is still there now and then. Cancelled when
      // WAL comes first: a busy primary waits here once per flush.
      const keepalive = this.clock.setTimer(this.retryMs, () => settle(false));
      const woken = await wait;
      keepalive.cancel();
      this.wake = undefined;
      if (!woken && this.running)
        this.update(await this.link.receiveWal(this.sent, new ArrayBuffer(0), this.inst.files.history));
    }
  }

  private update(st: WalStatus): void {
    this.write = st.written;
    this.flush = st.flushed;
    this.replay = st.replayed;
    this.events.flushed(this.flush);
  }
}
