/**
 * LinkEndpoint: a message endpoint (the shape Comlink wants) around a raw MessagePort, through
 * which every message of a link passes, so the lab can count, drop and delay them.
 *
 * Faults are applied here at the calling end, for both directions: outbound messages are
 * checked against `isCut(from, to)` and held back by `latency(from, to)`; inbound ones against
 * `isCut(to, from)` and `latency(to, from)`. A message is checked when it is sent (or arrives)
 * and again when a delay releases it, so a cut also swallows messages already on the wire.
 * Dropped messages are gone for good. Delays keep each direction in order (FIFO).
 */
import type { Clock, Timer, TraceSink } from './clock.ts';
import type { NetworkFaults, NodeId } from './link-faults.ts';
import type { LinkStats } from './link.ts';

/** The part of a message event a link reads. */
export interface MessageEventLike {
  data?: unknown;
}

/**
 * The minimal MessagePort shape (the engine compiles without DOM types). A browser or Node
 * MessagePort satisfies it.
 */
export interface PortLike {
  postMessage(message: unknown, transfer?: unknown[]): void;
  addEventListener(type: string, listener: (ev: MessageEventLike) => void): void;
  removeEventListener?(type: string, listener: (ev: MessageEventLike) => void): void;
  start?(): void;
  close(): void;
}

/** A MessageChannel constructor, typed narrowly. */
export interface ChannelLike {
  port1: PortLike;
  port2: PortLike;
}
export type ChannelConstructor = new () => ChannelLike;

/** The global MessageChannel (browsers, workers, Node ≥ 15). */
export function globalMessageChannel(): ChannelConstructor {
  const ctor = (globalThis as { MessageChannel?: ChannelConstructor }).MessageChannel;
  if (ctor === undefined) throw new Error('assertion failed: this realm has no MessageChannel');
  return ctor;
}

type Listener = (ev: MessageEventLike) => void;

interface Queued {
  data: unknown;
  transfer: unknown[];
  timer: Timer | undefined;
  done: boolean;
}

export interface EndpointFaultOptions {
  from: NodeId;
  to: NodeId;
  faults: NetworkFaults;
  clock: Clock;
}

export interface LinkEndpointOptions {
  stats: LinkStats;
  /** Present at the calling end only. */
  faults?: EndpointFaultOptions;
  trace?: TraceSink;
  /** Called once when the raw port reports that it (or its peer) closed. */
  onPortClosed?: () => void;
}

interface StructuredCloneGlobal {
  structuredClone?: <V>(value: V, options?: { transfer?: unknown[] }) => V;
}

/**
 * Takes ownership of the transferred buffers now (the sender's copies are detached at once, as
 * with a real send) and returns a message that can be posted later.
 */
function detach(data: unknown, transfer: unknown[]): { data: unknown; transfer: unknown[] } {
  if (transfer.length === 0) return { data, transfer };
  const sc = (globalThis as StructuredCloneGlobal).structuredClone;
  if (sc === undefined) return { data, transfer };
  const moved = sc({ data, transfer }, { transfer });
  return moved;
}

export class LinkEndpoint {
  private readonly port: PortLike;
  private readonly stats: LinkStats;
  private readonly faults: EndpointFaultOptions | undefined;
  private readonly trace: TraceSink | undefined;
  private readonly onPortClosed: (() => void) | undefined;
  private readonly listeners: Set<Listener>;
  private readonly outQueue: Queued[];
  private readonly inQueue: Queued[];
  private readonly onRaw: Listener;
  private readonly onRawClose: Listener;
  private extraTransfer: unknown[];
  private isClosed: boolean;
  /** The last message handed to `postMessage`, whatever became of it. */
  lastPosted: unknown;

  constructor(port: PortLike, options: LinkEndpointOptions) {
    this.port = port;
    this.stats = options.stats;
    this.faults = options.faults;
    this.trace = options.trace;
    this.onPortClosed = options.onPortClosed;
    this.listeners = new Set();
    this.outQueue = [];
    this.inQueue = [];
    this.extraTransfer = [];
    this.isClosed = false;
    this.lastPosted = undefined;
    this.onRaw = (ev) => this.receive(ev.data);
    this.onRawClose = () => {
      if (this.isClosed) return;
      this.close();
      this.onPortClosed?.();
    };
    port.addEventListener('message', this.onRaw);
    port.addEventListener('close', this.onRawClose);
    port.start?.();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Runs `send` (which posts exactly one message) with `transfer` added to that message's list. */
  sendWith<R>(transfer: readonly unknown[] | undefined, send: () => R): R {
    this.extraTransfer = transfer === undefined ? [] : [...transfer];
    try {
      return send();
    } finally {
      this.extraTransfer = [];
    }
  }

  // --- the Endpoint surface Comlink uses ---

  postMessage(message: unknown, transfer?: unknown[]): void {
    let list = transfer ?? [];
    if (this.extraTransfer.length > 0) {
      list = [...new Set([...list, ...this.extraTransfer])];
      this.extraTransfer = [];
    }
    this.lastPosted = message;
    if (this.isClosed) return;
    this.stats.messagesSent++;
    const f = this.faults;
    if (f === undefined) {
      this.port.postMessage(message, list);
      return;
    }
    if (f.faults.isCut(f.from, f.to)) {
      detach(message, list);
      this.drop('out');
      return;
    }
    const ms = f.faults.latency(f.from, f.to);
    if (ms <= 0 && this.outQueue.length === 0) {
      this.port.postMessage(message, list);
      return;
    }
    this.stats.delayed++;
    this.enqueue(this.outQueue, detach(message, list), ms, (q) => {
      if (f.faults.isCut(f.from, f.to)) this.drop('out');
      else this.port.postMessage(q.data, q.transfer);
    });
  }

  addEventListener(type: string, listener: Listener): void {
    if (type === 'message') this.listeners.add(listener);
  }

  removeEventListener(type: string, listener: Listener): void {
    if (type === 'message') this.listeners.delete(listener);
  }

  start(): void {
    // The raw port is started in the constructor.
  }

  /** Delivers `data` to this side's listeners as if it had arrived (bypasses faults and stats). */
  dispatchLocal(data: unknown): void {
    if (this.isClosed) return;
    for (const l of [...this.listeners]) l({ data });
  }

  /** Stops all traffic, cancels held-back messages and closes the raw port. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const q of [...this.outQueue, ...this.inQueue]) q.timer?.cancel();
    this.outQueue.length = 0;
    this.inQueue.length = 0;
    this.listeners.clear();
    this.port.removeEventListener?.('message', this.onRaw);
    this.port.removeEventListener?.('close', this.onRawClose);
    this.port.close();
  }

  private receive(data: unknown): void {
    if (this.isClosed) return;
    this.stats.messagesReceived++;
    const f = this.faults;
    if (f === undefined) {
      this.dispatchLocal(data);
      return;
    }
    if (f.faults.isCut(f.to, f.from)) {
      this.drop('in');
      return;
    }
    const ms = f.faults.latency(f.to, f.from);
    if (ms <= 0 && this.inQueue.length === 0) {
      this.dispatchLocal(data);
      return;
    }
    this.stats.delayed++;
    this.enqueue(this.inQueue, { data, transfer: [] }, ms, (q) => {
      if (f.faults.isCut(f.to, f.from)) this.drop('in');
      else this.dispatchLocal(q.data);
    });
  }

  /** Holds a message for `ms`; when its timer fires, it and everything queued before it go. */
  private enqueue(
    queue: Queued[],
    msg: { data: unknown; transfer: unknown[] },
    ms: number,
    deliver: (q: Queued) => void,
  ): void {
    const f = this.faults;
    if (f === undefined) return;
    const entry: Queued = { data: msg.data, transfer: msg.transfer, timer: undefined, done: false };
    queue.push(entry);
    entry.timer = f.clock.setTimer(Math.max(0, ms), () => {
      if (entry.done || this.isClosed) return;
      for (;;) {
        const q = queue.shift();
        if (q === undefined) break;
        q.done = true;
        q.timer?.cancel();
        deliver(q);
        if (q === entry || this.isClosed) break;
      }
    });
  }

  private drop(direction: 'in' | 'out'): void {
    this.stats.dropped++;
    const f = this.faults;
    if (f === undefined) return;
    const [from, to] = direction === 'out' ? [f.from, f.to] : [f.to, f.from];
    this.trace?.({ kind: 'link.drop', from, to });
  }
}
