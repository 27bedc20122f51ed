import { describe, expect, it, vi } from 'vitest';
import type { Instance } from '../../../src/engine/instance/instance.ts';
import type { Clock, Timer } from '../../../src/engine/runtime/clock.ts';
import { WalSender, type MirrorLink } from '../../../src/engine/replication/walsender.ts';

// The walsender waits for new WAL with a keepalive timer. A busy primary wakes it at every flush:
// each wait's timer must go with it, or one pending timer is left behind per flush.
describe('walsender keepalive', () => {
  it('leaves no timer behind for the waits that WAL ended', async () => {
    const live = new Set<object>();
    const clock: Clock = {
      now: () => 0,
      setTimer(): Timer {
        const t = {};
        live.add(t);
        return { cancel: () => live.delete(t) };
      },
      sleep: () => new Promise(() => undefined),
      yield: () => Promise.resolve(),
      shouldYield: () => false,
    };
    const listeners: ((lsn: number) => void)[] = [];
    const wal = { flushedLsn: 0 };
    const inst = {
      state: 'running',
      wal,
      onWalFlush: (fn: (lsn: number) => void) => {
        listeners.push(fn);
        return () => undefined;
      },
      files: { read: (_start: number, n: number) => new Uint8Array(n), history: [] },
      disk: { read: () => undefined },
      rt: { trace: () => undefined },
    } as unknown as Instance;
    const status = (lsn: number) => ({ timeline: 1, written: lsn, flushed: lsn, replayed: lsn });
    const link: MirrorLink = {
      identify: async () => ({ ...status(0), systemIdentifier: 'x' }),
      receiveWal: async (start, data) => status(start + data.byteLength),
    };
    const ws = new WalSender(inst, link, clock, 170, {
      flushed: () => undefined,
      streaming: () => undefined,
      disconnected: () => undefined,
      hold: () => Promise.resolve(),
    });
    ws.start();
    for (let i = 1; i <= 50; i++) {
      wal.flushedLsn = i * 100;
      for (const l of listeners) l(wal.flushedLsn);
      await vi.waitFor(() => expect(ws.sent).toBe(i * 100));
    }
    // The wait under way now has its timer; none of the 50 before it left one.
    await vi.waitFor(() => expect(ws.state).toBe('streaming'));
    expect(live.size).toBeLessThanOrEqual(1);
    ws.stop();
  });
});
