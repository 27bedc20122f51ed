/**
 * The Link implementation: Comlink over a MessagePort, wrapped in a LinkEndpoint so the lab's
 * NetworkFaults can drop and delay messages, and in a pending-call table so every call has a
 * deadline and close() rejects what is in flight (Comlink alone never rejects: STYLE.md L7).
 *
 * Importing this module registers, once per realm, a Comlink 'throw' handler that carries
 * SqlError and DiskError across with their class and fields (STYLE.md L5). Both ends of a link
 * import it, so both realms have it.
 */
import { expose, releaseProxy, transfer as comlinkTransfer, transferHandlers, wrap } from 'comlink';
import type { Endpoint, TransferHandler } from 'comlink';
import { refuseLater, type Clock, type Timer, type TraceSink } from './clock.ts';
import type { ApiMethod, ApiShape, CallOptions, Link, LinkOptions, LinkStats, Served } from './link.ts';
import { DEFAULT_LINK_TIMEOUT_MS, connectionLostError, emptyLinkStats, linkTimeoutError } from './link.ts';
import { LinkEndpoint } from './link-endpoint.ts';
import type { PortLike } from './link-endpoint.ts';
import { SqlError } from '../errors.ts';
import { DiskError } from '../storage/disk.ts';

// --- errors across the wire ---------------------------------------------------------------

interface WireError {
  linkClass?: 'SqlError' | 'DiskError';
  name: string;
  message: string;
  stack?: string;
  code?: string;
  detail?: string;
  hint?: string;
  position?: number;
}

interface SerializedThrow {
  isError: boolean;
  value: unknown;
}

const HANDLER_MARK = Symbol.for('mpp-ha-lab.link.throw-handler');

function toWire(e: SqlError | DiskError): WireError {
  const w: WireError = {
    linkClass: e instanceof SqlError ? 'SqlError' : 'DiskError',
    name: e.name,
    message: e.message,
    code: e.code,
  };
  if (e.stack !== undefined) w.stack = e.stack;
  if (e instanceof SqlError) {
    if (e.detail !== undefined) w.detail = e.detail;
    if (e.hint !== undefined) w.hint = e.hint;
    if (e.position !== undefined) w.position = e.position;
  }
  return w;
}

function fromWire(w: WireError): Error | undefined {
  if (w.linkClass === 'SqlError' && typeof w.code === 'string') {
    const extra: { detail?: string; hint?: string; position?: number } = {};
    if (w.detail !== undefined) extra.detail = w.detail;
    if (w.hint !== undefined) extra.hint = w.hint;
    if (w.position !== undefined) extra.position = w.position;
    const e = new SqlError(w.code, w.message, extra);
    if (w.stack !== undefined) e.stack = w.stack;
    return e;
  }
  if (w.linkClass === 'DiskError') {
    const e = new DiskError(w.code === '53100' ? 'disk_full' : 'io_error', w.message);
    if (w.stack !== undefined) e.stack = w.stack;
    return e;
  }
  return undefined;
}

function isWireError(v: unknown): v is WireError {
  return typeof v === 'object' && v !== null && typeof (v as WireError).linkClass === 'string';
}

/** Registers the error-preserving 'throw' handler in this realm. Idempotent; runs on import. */
export function registerLinkErrorTransfer(): void {
  const base = transferHandlers.get('throw');
  if (base === undefined || (base as unknown as Record<symbol, unknown>)[HANDLER_MARK] === true) return;
  const handler: TransferHandler<unknown, unknown> & Record<symbol, unknown> = {
    [HANDLER_MARK]: true,
    canHandle: (value: unknown): value is unknown => base.canHandle(value),
    serialize(thrown: unknown) {
      const value = (thrown as { value?: unknown }).value;
      if (value instanceof SqlError || value instanceof DiskError) {
        const s: SerializedThrow = { isError: true, value: toWire(value) };
        return [s, []];
      }
      return base.serialize(thrown);
    },
    deserialize(serialized: unknown) {
      const s = serialized as SerializedThrow;
      if (s.isError && isWireError(s.value)) {
        const e = fromWire(s.value);
        if (e !== undefined) throw e;
      }
      return base.deserialize(serialized);
    },
  };
  transferHandlers.set('throw', handler);
}

registerLinkErrorTransfer();

/**
 * LinkEndpoint has the shape Comlink's Endpoint needs, but the engine declares its own minimal
 * event types (no DOM lib), which DOM-typed builds do not consider assignable.
 */
function asComlinkEndpoint(ep: LinkEndpoint): Endpoint {
  return ep as unknown as Endpoint;
}

// --- serving ------------------------------------------------------------------------------

export interface ServeOptions {
  trace?: TraceSink;
}

/**
 * Exposes `impl` on `port`. Only function-valued properties are callable; calling anything
 * else rejects with a plain Error. The serving end applies no faults (the caller's end does).
 */
export function serveApi<T extends ApiShape<T>>(port: PortLike, impl: T, options?: ServeOptions): Served {
  const stats = emptyLinkStats();
  const endpoint = new LinkEndpoint(port, { stats, ...(options?.trace ? { trace: options.trace } : {}) });
  const target = impl as unknown as Record<string | symbol, unknown>;
  const dispatcher = new Proxy(target, {
    get(t, prop) {
      const fn = t[prop];
      if (typeof fn !== 'function') throw new Error(`link: the peer has no method ${String(prop)}`);
      return (...args: unknown[]) => {
        stats.calls++;
        return Promise.resolve()
          .then(() => (fn as (...a: unknown[]) => unknown).apply(t, args))
          .then(
            (v) => {
              stats.ok++;
              return v;
            },
            (e: unknown) => {
              stats.errors++;
              throw e;
            },
          );
      };
    },
  });
  expose(dispatcher, asComlinkEndpoint(endpoint));
  return {
    close: () => endpoint.close(),
    stats,
  };
}

/**
 * Marks a value a served method returns so that `buffers` are transferred, not copied, back to
 * the caller (the server's copies are detached).
 */
export function transferResult<V extends object>(value: V, buffers: ArrayBuffer[]): V {
  return comlinkTransfer(value, buffers);
}

// --- calling ------------------------------------------------------------------------------

interface PendingCall {
  method: string;
  args: unknown[];
  transfer: ArrayBuffer[] | undefined;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  timeoutMs: number;
  /** The clock time at which the call fails unanswered. */
  deadline: number;
  /** Comlink's message id, once sent. */
  msgId: string | undefined;
  sent: boolean;
  settled: boolean;
}

type Remote = Record<string, (...args: unknown[]) => Promise<unknown>>;

class ComlinkLink<T extends ApiShape<T>> implements Link<T> {
  readonly stats: LinkStats;
  private readonly peerName: string;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  private readonly trace: TraceSink | undefined;
  private readonly endpoint: LinkEndpoint;
  private readonly remote: Remote;
  /**
   * Comlink's proxy for each method, made once: reading a method off the root proxy builds a
   * new Proxy and registers it with a FinalizationRegistry, on every call otherwise.
   */
  private readonly methods = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  private readonly pending: Set<PendingCall>;
  private readonly queue: PendingCall[];
  private isClosed: boolean;
  private reason: string | undefined;
  /**
   * One timer per link, set for the earliest deadline of its pending calls: a timer set and
   * cancelled for every call was a visible share of a busy instance's time.
   */
  private deadlineTimer: Timer | undefined;
  private deadlineAt = Infinity;

  constructor(port: PortLike, options: LinkOptions) {
    this.stats = emptyLinkStats();
    this.peerName = options.peerName;
    this.clock = options.clock;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_LINK_TIMEOUT_MS;
    this.maxInFlight = options.maxInFlight ?? Infinity;
    if (!(this.maxInFlight >= 1)) throw new Error('assertion failed: maxInFlight must be ≥ 1');
    this.trace = options.trace;
    this.pending = new Set();
    this.queue = [];
    this.isClosed = false;
    this.reason = undefined;
    this.endpoint = new LinkEndpoint(port, {
      stats: this.stats,
      ...(options.faults
        ? { faults: { from: options.from, to: options.to, faults: options.faults, clock: options.clock } }
        : {}),
      ...(options.trace ? { trace: options.trace } : {}),
      onPortClosed: () => this.close('port closed by peer'),
    });
    this.remote = wrap<Remote>(asComlinkEndpoint(this.endpoint)) as unknown as Remote;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get closeReason(): string | undefined {
    return this.reason;
  }

  call<K extends ApiMethod<T>>(
    method: K,
    args: Parameters<T[K]>,
    options?: CallOptions,
  ): Promise<Awaited<ReturnType<T[K]>>> {
    this.stats.calls++;
    if (this.isClosed) {
      this.stats.errors++;
      // On a later task, as a network would answer: never inside the caller's own turn.
      return refuseLater(this.clock, connectionLostError());
    }
    const timeoutMs = options?.timeoutMs ?? this.timeoutMs;
    return new Promise<Awaited<ReturnType<T[K]>>>((resolve, reject) => {
      const pc: PendingCall = {
        method,
        args: args as unknown[],
        transfer: options?.transfer,
        resolve: resolve as (v: unknown) => void,
        reject,
        timeoutMs,
        deadline: this.clock.now() + timeoutMs,
        msgId: undefined,
        sent: false,
        settled: false,
      };
      this.pending.add(pc);
      if (pc.deadline < this.deadlineAt) this.watchUntil(pc.deadline);
      if (this.stats.inFlight >= this.maxInFlight) {
        this.queue.push(pc);
        this.stats.queued++;
      } else {
        this.send(pc);
      }
    });
  }

  close(reason?: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.reason = reason ?? 'closed';
    this.queue.length = 0;
    this.stats.queued = 0;
    this.deadlineTimer?.cancel();
    this.deadlineTimer = undefined;
    this.deadlineAt = Infinity;
    const calls = [...this.pending];
    this.endpoint.close();
    // Comlink keeps every live proxy in a FinalizationRegistry whose held value is the
    // endpoint; the endpoint reaches this link (onPortClosed), and the link its proxy, so the
    // registry would hold the whole cluster forever. Releasing each proxy unregisters it.
    for (const fn of [...this.methods.values(), this.remote])
      (fn as unknown as { [releaseProxy]?: () => void })[releaseProxy]?.();
    this.methods.clear();
    for (const pc of calls) this.settle(pc, false, connectionLostError());
    this.trace?.({ kind: 'link.closed', peer: this.peerName, reason: this.reason, pending: calls.length });
  }

  private send(pc: PendingCall): void {
    pc.sent = true;
    this.stats.inFlight++;
    let reply: Promise<unknown>;
    try {
      let fn = this.methods.get(pc.method);
      if (fn === undefined) {
        fn = this.remote[pc.method];
        if (fn === undefined) throw new Error(`assertion failed: no proxy for ${pc.method}`);
        this.methods.set(pc.method, fn);
      }
      this.endpoint.lastPosted = undefined;
      reply = this.endpoint.sendWith(pc.transfer, () => fn(...pc.args));
      const posted = this.endpoint.lastPosted as { id?: unknown } | undefined;
      if (typeof posted?.id === 'string') pc.msgId = posted.id;
    } catch (e) {
      reply = Promise.reject(e);
    }
    reply.then(
      (v) => this.settle(pc, true, v),
      (e: unknown) => this.settle(pc, false, e),
    );
  }

  /** Sets the link's one deadline timer for `at`. */
  private watchUntil(at: number): void {
    this.deadlineTimer?.cancel();
    this.deadlineAt = at;
    this.deadlineTimer = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => this.sweep());
  }

  /** Expires the calls whose deadline has passed; watches for the next one. */
  private sweep(): void {
    this.deadlineTimer = undefined;
    this.deadlineAt = Infinity;
    const now = this.clock.now();
    let next = Infinity;
    for (const pc of this.pending) {
      if (pc.deadline <= now) this.expire(pc, pc.timeoutMs);
      else if (pc.deadline < next) next = pc.deadline;
    }
    if (next < Infinity && !this.isClosed) this.watchUntil(next);
  }

  private expire(pc: PendingCall, timeoutMs: number): void {
    if (pc.settled) return;
    // The deadline passed, but this thread may have been busy: a reply that arrived meanwhile
    // waits in the task queue behind this timer. Let what is queued run first, then decide.
    void this.clock.yield().then(() => this.expireNow(pc, timeoutMs));
  }

  private expireNow(pc: PendingCall, timeoutMs: number): void {
    if (pc.settled) return;
    const i = this.queue.indexOf(pc);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.stats.queued--;
    }
    // Let Comlink forget the request: hand it a local stand-in reply, which it resolves and we
    // ignore. A real reply arriving later then finds no listener and is dropped.
    if (pc.msgId !== undefined) this.endpoint.dispatchLocal({ id: pc.msgId, type: 'RAW', value: undefined });
    this.stats.timeouts++;
    this.trace?.({ kind: 'link.timeout', peer: this.peerName, method: pc.method, timeoutMs });
    this.settle(pc, false, linkTimeoutError(this.peerName, pc.method, timeoutMs));
  }

  private settle(pc: PendingCall, ok: boolean, value: unknown): void {
    if (pc.settled) return;
    pc.settled = true;
    this.pending.delete(pc);
    if (pc.sent) this.stats.inFlight--;
    if (ok) {
      this.stats.ok++;
      pc.resolve(value);
    } else {
      this.stats.errors++;
      pc.reject(value);
    }
    this.pump();
  }

  private pump(): void {
    while (!this.isClosed && this.stats.inFlight < this.maxInFlight) {
      const next = this.queue.shift();
      if (next === undefined) return;
      this.stats.queued--;
      this.send(next);
    }
  }
}

/** A Link<T> to the API served on the other end of `port`. */
export function connectApi<T extends ApiShape<T>>(port: PortLike, options: LinkOptions): Link<T> {
  return new ComlinkLink<T>(port, options);
}
