import { afterEach, describe, expect, it } from 'vitest';
import { SqlError } from '../../../src/engine/errors.ts';
import { DiskError } from '../../../src/engine/storage/disk.ts';
import type { Clock } from '../../../src/engine/runtime/clock.ts';
import { realClock } from '../../../src/engine/runtime/real-clock.ts';
import {
  CONNECTION_LOST_DETAIL,
  connectApi,
  isConnectionFailure,
  serveApi,
} from '../../../src/engine/runtime/link.ts';
import type { Link, LinkOptions, Served } from '../../../src/engine/runtime/link.ts';
import { transferResult } from '../../../src/engine/runtime/comlink-link.ts';
import { NetworkFaults } from '../../../src/engine/runtime/link-faults.ts';
import { globalMessageChannel } from '../../../src/engine/runtime/link-endpoint.ts';
import { ManualClock } from '../../support/fake-clock.ts';
import { waitFor } from '../../support/wait.ts';

/** A test API, declared as an interface (Link must accept interfaces, not just type aliases). */
interface SegApi {
  add(a: number, b: number): Promise<number>;
  echo<V>(v: V, delayTicks?: number): Promise<V>;
  failSql(): Promise<never>;
  failDisk(): Promise<never>;
  failPlain(): Promise<never>;
  hang(): Promise<void>;
  gated(n: number): Promise<number>;
  sum(buf: ArrayBuffer): Promise<{ len: number; sum: number }>;
  makeBuffer(n: number): Promise<ArrayBuffer>;
}

interface Harness {
  link: Link<SegApi>;
  served: Served;
  impl: SegApi;
  /** How many times each method ran on the server. */
  runs: Map<string, number>;
  /** Resolvers of `gated` calls, in arrival order. */
  gates: ((v: number) => void)[];
}

const PEER = 'dbid 3 (seg1 sdw2:6001)';
const open: Harness[] = [];

afterEach(() => {
  for (const h of open.splice(0)) {
    h.link.close();
    h.served.close();
  }
});

function setup(opts: Partial<LinkOptions> & { clock: Clock }): Harness {
  const runs = new Map<string, number>();
  const gates: ((v: number) => void)[] = [];
  const ran = (m: string) => runs.set(m, (runs.get(m) ?? 0) + 1);
  const impl: SegApi = {
    async add(a, b) {
      ran('add');
      return a + b;
    },
    async echo(v, delayTicks = 0) {
      ran('echo');
      for (let i = 0; i < delayTicks; i++) await Promise.resolve();
      return v;
    },
    async failSql() {
      ran('failSql');
      throw new SqlError('42601', 'syntax error at or near "SELEC"', {
        detail: 'some detail',
        hint: 'some hint',
        position: 1,
      });
    },
    async failDisk() {
      ran('failDisk');
      throw new DiskError('disk_full', 'could not extend file "base/1/16384": No space left on device');
    },
    async failPlain() {
      ran('failPlain');
      throw new TypeError('x is not a function');
    },
    hang() {
      ran('hang');
      return new Promise<void>(() => {});
    },
    gated(n) {
      ran('gated');
      return new Promise<number>((resolve) => gates.push(() => resolve(n)));
    },
    async sum(buf) {
      ran('sum');
      const a = new Uint8Array(buf);
      return { len: a.length, sum: a.reduce((s, x) => s + x, 0) };
    },
    async makeBuffer(n) {
      ran('makeBuffer');
      const b = new Uint8Array(n).fill(7).buffer;
      return transferResult(b, [b]);
    },
  };
  // A DOM/Node MessagePort must satisfy PortLike without casts.
  const { port1, port2 } = new MessageChannel();
  const served = serveApi(port2, impl);
  const link = connectApi<SegApi>(port1, { peerName: PEER, from: 1, to: 3, timeoutMs: 5_000, ...opts });
  const h = { link, served, impl, runs, gates };
  open.push(h);
  return h;
}

/** Tracks a promise's state without awaiting it. */
function track<V>(p: Promise<V>): {
  state: 'pending' | 'fulfilled' | 'rejected';
  value?: V;
  error?: unknown;
} {
  const t: { state: 'pending' | 'fulfilled' | 'rejected'; value?: V; error?: unknown } = { state: 'pending' };
  p.then(
    (v) => {
      t.state = 'fulfilled';
      t.value = v;
    },
    (e: unknown) => {
      t.state = 'rejected';
      t.error = e;
    },
  );
  return t;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('Link over Comlink', () => {
  it('round trip', async () => {
    expect(new (globalMessageChannel())().port1).toBeDefined();
    const { link, served } = setup({ clock: realClock });
    await expect(link.call('add', [2, 3])).resolves.toBe(5);
    expect(link.stats).toMatchObject({ calls: 1, ok: 1, errors: 0, inFlight: 0, messagesSent: 1 });
    expect(link.stats.messagesReceived).toBe(1);
    expect(served.stats).toMatchObject({ calls: 1, ok: 1 });
  });

  it('concurrent calls each get their own reply', async () => {
    const { link } = setup({ clock: realClock });
    const calls = Array.from({ length: 50 }, (_, i) => link.call('echo', [{ i, s: `v${i}` }, 50 - i]));
    const got = await Promise.all(calls);
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => ({ i, s: `v${i}` })));
    expect(link.stats.inFlight).toBe(0);
  });

  it('a SqlError arrives as a SqlError with code, detail, hint and position', async () => {
    const { link } = setup({ clock: realClock });
    const e = await rejection(link.call('failSql', []));
    expect(e).toBeInstanceOf(SqlError);
    const s = e as SqlError;
    expect(s.name).toBe('SqlError');
    expect(s.code).toBe('42601');
    expect(s.message).toBe('syntax error at or near "SELEC"');
    expect(s.detail).toBe('some detail');
    expect(s.hint).toBe('some hint');
    expect(s.position).toBe(1);
    expect(isConnectionFailure(s)).toBe(false);
    expect(link.stats.errors).toBe(1);
  });

  it('a DiskError arrives as a DiskError with its code', async () => {
    const { link } = setup({ clock: realClock });
    const e = await rejection(link.call('failDisk', []));
    expect(e).toBeInstanceOf(DiskError);
    expect((e as DiskError).code).toBe('53100');
    expect((e as DiskError).name).toBe('DiskError');
    expect((e as DiskError).message).toMatch(/No space left on device/);
  });

  it('any other error arrives as a plain Error with name and message', async () => {
    const { link } = setup({ clock: realClock });
    const e = await rejection(link.call('failPlain', []));
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(SqlError);
    expect((e as Error).name).toBe('TypeError');
    expect((e as Error).message).toBe('x is not a function');
  });

  it('calling a method the peer does not have rejects with a plain Error', async () => {
    const { link } = setup({ clock: realClock });
    const e = await rejection((link as unknown as Link<{ nope(): Promise<void> }>).call('nope', []));
    expect((e as Error).message).toMatch(/no method nope/);
  });

  it('a call past its deadline rejects with 08006 "timeout expired" naming the peer (real clock)', async () => {
    const { link, runs } = setup({ clock: realClock, timeoutMs: 50 });
    const t0 = Date.now();
    const e = await rejection(link.call('hang', []));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    expect(e).toBeInstanceOf(SqlError);
    expect((e as SqlError).code).toBe('08006');
    expect((e as SqlError).message).toBe('timeout expired');
    expect((e as SqlError).detail).toContain(PEER);
    expect(runs.get('hang')).toBe(1);
    expect(link.stats).toMatchObject({ timeouts: 1, errors: 1, inFlight: 0 });
    expect(link.closed).toBe(false);
  });

  it('the deadline runs on the link clock; per-call timeoutMs overrides the default', async () => {
    const clock = new ManualClock();
    const { link, runs } = setup({ clock, timeoutMs: 1_000 });
    const t = track(link.call('hang', [], { timeoutMs: 100 }));
    await waitFor(() => runs.get('hang') === 1, 2_000, 'server ran hang');
    clock.advance(99);
    await Promise.resolve();
    expect(t.state).toBe('pending');
    clock.advance(1);
    await waitFor(() => t.state !== 'pending', 2_000, 'timeout');
    expect(t.state).toBe('rejected');
    expect((t.error as SqlError).code).toBe('08006');
    expect((t.error as SqlError).message).toBe('timeout expired');
  });

  it("one link's calls each fail at their own deadline, a shorter one made after a longer one too", async () => {
    const clock = new ManualClock();
    const { link, runs } = setup({ clock, timeoutMs: 1_000 });
    const long = track(link.call('hang', []));
    clock.advance(50);
    const short = track(link.call('hang', [], { timeoutMs: 100 }));
    const answered = track(link.call('add', [2, 3]));
    await waitFor(() => runs.get('hang') === 2 && answered.state === 'fulfilled', 2_000, 'both hangs ran');
    clock.advance(99);
    await Promise.resolve();
    expect(short.state).toBe('pending');
    clock.advance(1); // 150: the short call's deadline
    await waitFor(() => short.state !== 'pending', 2_000, 'short timeout');
    expect(short.state).toBe('rejected');
    expect(long.state).toBe('pending');
    clock.advance(849);
    await Promise.resolve();
    expect(long.state).toBe('pending');
    clock.advance(1); // 1,000: the long call's deadline
    await waitFor(() => long.state !== 'pending', 2_000, 'long timeout');
    expect((long.error as SqlError).message).toBe('timeout expired');
    expect(link.stats).toMatchObject({ ok: 1, timeouts: 2, inFlight: 0 });
  });

  it('a late reply after the deadline is ignored and the link stays usable', async () => {
    const clock = new ManualClock();
    const { link, gates } = setup({ clock, timeoutMs: 100 });
    const t = track(link.call('gated', [1]));
    await waitFor(() => gates.length === 1, 2_000, 'server got gated');
    clock.advance(100);
    await waitFor(() => t.state === 'rejected', 2_000, 'timeout');
    gates[0]!(1); // the late reply
    await expect(link.call('add', [1, 1])).resolves.toBe(2);
    expect(t.state).toBe('rejected');
    expect(link.stats).toMatchObject({ ok: 1, errors: 1, timeouts: 1, inFlight: 0 });
  });

  it('close() rejects every pending call at once, and every later call', async () => {
    const clock = new ManualClock();
    const { link, runs } = setup({ clock });
    const ts = [track(link.call('hang', [])), track(link.call('hang', [])), track(link.call('add', [1, 2]))];
    await waitFor(() => runs.get('hang') === 2, 2_000, 'server ran both hangs');
    await waitFor(() => ts[2]!.state === 'fulfilled', 2_000, 'add replied');
    link.close('segment worker terminated');
    await Promise.resolve();
    await Promise.resolve();
    expect(ts.map((t) => t.state)).toEqual(['rejected', 'rejected', 'fulfilled']);
    for (const t of ts.slice(0, 2)) {
      const e = t.error as SqlError;
      expect(e).toBeInstanceOf(SqlError);
      expect(e.code).toBe('08006');
      expect(e.message).toBe('server closed the connection unexpectedly');
      expect(e.detail).toBe(CONNECTION_LOST_DETAIL);
    }
    expect(link.closed).toBe(true);
    expect(link.closeReason).toBe('segment worker terminated');
    const later = await rejection(link.call('add', [1, 2]));
    expect((later as SqlError).code).toBe('08006');
    expect((later as SqlError).message).toBe('server closed the connection unexpectedly');
    expect(link.stats.inFlight).toBe(0);
  });

  it('the peer closing its port closes the link and rejects pending calls', async () => {
    const { link, served, runs } = setup({ clock: realClock });
    const t = track(link.call('hang', []));
    await waitFor(() => runs.get('hang') === 1, 2_000, 'server ran hang');
    served.close();
    await waitFor(() => t.state !== 'pending', 2_000, 'pending call rejected');
    expect((t.error as SqlError).message).toBe('server closed the connection unexpectedly');
    expect(link.closed).toBe(true);
  });

  it('maxInFlight bounds the calls on the wire; the rest queue', async () => {
    const clock = new ManualClock();
    const { link, gates, runs } = setup({ clock, maxInFlight: 2 });
    const ts = [1, 2, 3, 4].map((n) => track(link.call('gated', [n], n === 4 ? { timeoutMs: 100 } : {})));
    await waitFor(() => gates.length === 2, 2_000, 'two calls reached the server');
    expect(link.stats).toMatchObject({ inFlight: 2, queued: 2 });
    gates[0]!(0);
    await waitFor(() => gates.length === 3, 2_000, 'third call went out');
    expect(ts[0]!.state).toBe('fulfilled');
    expect(link.stats).toMatchObject({ inFlight: 2, queued: 1 });
    // A queued call's deadline runs while it waits; it leaves the queue and is never sent.
    clock.advance(100);
    await waitFor(() => ts[3]!.state === 'rejected', 2_000, 'queued call timed out');
    expect((ts[3]!.error as SqlError).message).toBe('timeout expired');
    gates[1]!(0);
    gates[2]!(0);
    await waitFor(() => ts.every((t) => t.state !== 'pending'), 2_000, 'all settled');
    expect(ts.map((t) => t.state)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect(runs.get('gated')).toBe(3);
    expect(link.stats).toMatchObject({ inFlight: 0, queued: 0, timeouts: 1 });
  });

  it('transfers an ArrayBuffer: the sender keeps a detached buffer', async () => {
    const { link } = setup({ clock: realClock });
    const buf = new Uint8Array([1, 2, 3, 4]).buffer;
    await expect(link.call('sum', [buf], { transfer: [buf] })).resolves.toEqual({ len: 4, sum: 10 });
    expect(buf.byteLength).toBe(0);
    const copy = new Uint8Array([5, 5]).buffer;
    await expect(link.call('sum', [copy])).resolves.toEqual({ len: 2, sum: 10 });
    expect(copy.byteLength).toBe(2);
  });

  it('a served method can transfer a buffer back', async () => {
    const { link } = setup({ clock: realClock });
    const b = await link.call('makeBuffer', [16]);
    expect(new Uint8Array(b)).toEqual(new Uint8Array(16).fill(7));
  });
});

describe('Link under NetworkFaults', () => {
  it('a partition makes calls time out (not fail fast) and never delivers them; heal restores', async () => {
    const clock = new ManualClock();
    const faults = new NetworkFaults();
    const { link, runs, served } = setup({ clock, faults, timeoutMs: 200 });
    await expect(link.call('add', [1, 1])).resolves.toBe(2);

    faults.partition(new Set([1, 'coordinator']), new Set([3, 4]));
    expect(faults.isCut(1, 3)).toBe(true);
    expect(faults.isCut('3', '1')).toBe(true);
    const t = track(link.call('add', [2, 2]));
    await waitFor(() => link.stats.dropped === 1, 2_000, 'request dropped');
    await Promise.resolve();
    expect(t.state).toBe('pending'); // a lost network is silent
    clock.advance(200);
    await waitFor(() => t.state !== 'pending', 2_000, 'timeout');
    expect((t.error as SqlError).code).toBe('08006');
    expect((t.error as SqlError).message).toBe('timeout expired');
    expect(link.closed).toBe(false);

    faults.heal();
    expect(faults.isCut(1, 3)).toBe(false);
    await expect(link.call('add', [3, 3])).resolves.toBe(6);
    // The port is FIFO: had the dropped request been delivered late, it would have run before
    // the post-heal call was answered.
    expect(runs.get('add')).toBe(2);
    expect(served.stats.calls).toBe(2);
  });

  it('a one-way cut on the reply path: the peer runs the call, the caller still times out', async () => {
    const clock = new ManualClock();
    const faults = new NetworkFaults();
    const { link, runs } = setup({ clock, faults, timeoutMs: 100 });
    faults.cutOneWay(3, 1);
    const t = track(link.call('add', [1, 2]));
    await waitFor(() => link.stats.dropped === 1, 2_000, 'reply dropped');
    expect(runs.get('add')).toBe(1);
    clock.advance(100);
    await waitFor(() => t.state === 'rejected', 2_000, 'timeout');
    faults.heal();
    await expect(link.call('add', [2, 2])).resolves.toBe(4);
  });

  it('delay holds each direction back: the reply arrives only after 2 × delay', async () => {
    const clock = new ManualClock();
    const faults = new NetworkFaults();
    const { link, served } = setup({ clock, faults });
    faults.delay(3, 40);
    expect(faults.latency(1, 3)).toBe(40);
    const start = clock.now();
    const t = track(link.call('add', [20, 22]));
    clock.advance(39);
    expect(served.stats.messagesReceived).toBe(0);
    clock.advance(1); // request released to the wire
    await waitFor(() => link.stats.messagesReceived === 1, 2_000, 'reply reached the caller port');
    await Promise.resolve();
    expect(t.state).toBe('pending'); // held back on the way in
    clock.advance(39);
    await Promise.resolve();
    expect(t.state).toBe('pending');
    clock.advance(1);
    await waitFor(() => t.state === 'fulfilled', 2_000, 'reply delivered');
    expect(t.value).toBe(42);
    expect(clock.now() - start).toBeGreaterThanOrEqual(80);
    expect(link.stats.delayed).toBe(2);
  });

  it('delays keep messages in order', async () => {
    const clock = new ManualClock();
    const faults = new NetworkFaults();
    const { link } = setup({ clock, faults });
    const order: number[] = [];
    faults.delay(1, 30);
    const a = link.call('add', [1, 0]).then((v) => order.push(v));
    faults.delay(1, 10); // the second message is due earlier, yet must not overtake the first
    const b = link.call('add', [2, 0]).then((v) => order.push(v));
    faults.delay(1, 0); // replies travel undelayed
    clock.advance(10);
    await Promise.all([a, b]);
    expect(order).toEqual([1, 2]);
  });

  it('a cut swallows messages already held back by a delay', async () => {
    const clock = new ManualClock();
    const faults = new NetworkFaults();
    const { link, served } = setup({ clock, faults, timeoutMs: 500 });
    faults.delay(3, 50);
    const t = track(link.call('add', [1, 1]));
    faults.partition([1], [3]);
    clock.advance(50);
    expect(link.stats.dropped).toBe(1);
    faults.heal();
    faults.delay(3, 0);
    clock.advance(450);
    await waitFor(() => t.state === 'rejected', 2_000, 'timeout');
    await expect(link.call('add', [2, 2])).resolves.toBe(4);
    expect(served.stats.calls).toBe(1);
  });

  it('a transfer held back by a delay still detaches the sender buffer at once', async () => {
    const clock = new ManualClock();
    const faults = new NetworkFaults();
    const { link } = setup({ clock, faults });
    faults.delay(1, 10);
    const buf = new Uint8Array([9, 9, 9]).buffer;
    const p = link.call('sum', [buf], { transfer: [buf] });
    expect(buf.byteLength).toBe(0);
    clock.advance(10);
    await waitFor(() => link.stats.messagesReceived === 1, 2_000, 'reply');
    clock.advance(10);
    await expect(p).resolves.toEqual({ len: 3, sum: 27 });
  });
});

describe('NetworkFaults', () => {
  it('treats dbid 3 and "3" as one node; heals selectively; snapshots and restores', () => {
    const f = new NetworkFaults();
    let changes = 0;
    const off = f.subscribe(() => changes++);
    f.partition([1, 2], ['3', 'sdw2']);
    expect(f.isCut(3, 1)).toBe(true);
    expect(f.isCut(1, 2)).toBe(false);
    expect(f.partitioned).toBe(true);
    f.heal([1], [3]);
    expect(f.isCut(1, 3)).toBe(false);
    expect(f.isCut(2, 3)).toBe(true);
    f.cutOneWay('coordinator', 4);
    expect(f.isCut('coordinator', 4)).toBe(true);
    expect(f.isCut(4, 'coordinator')).toBe(false);
    f.delay('sdw2', 25);
    const g = new NetworkFaults();
    g.restore(structuredClone(f.snapshot()));
    expect(g.isCut(2, 'sdw2')).toBe(true);
    expect(g.isCut('coordinator', 4)).toBe(true);
    expect(g.latency(1, 'sdw2')).toBe(25);
    f.clear();
    expect(f.partitioned).toBe(false);
    expect(f.delayOf('sdw2')).toBe(0);
    off();
    f.delay(1, 5);
    expect(changes).toBe(5);
  });
});
