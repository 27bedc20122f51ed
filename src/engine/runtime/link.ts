/**
 * A Link is how one instance calls another: coordinator → segment, FTS → primary, and so on.
 * It is transport-neutral: the engine sees only `call`, `close` and `closed`. The runtime
 * supplies the implementation (Comlink over a MessagePort, see comlink-link.ts), the clock
 * that enforces deadlines (STYLE.md L7) and, in the lab, the NetworkFaults that cut or slow
 * the wire (link-faults.ts).
 *
 * Failure contract, as libpq reports it:
 * - no reply within the deadline → SqlError 08006 `timeout expired` (detail names the peer);
 * - link closed (peer crashed, or the caller gave up on it) → every pending and every later
 *   call rejects at once with SqlError 08006 `server closed the connection unexpectedly`.
 * Errors thrown by the peer arrive as the same class with the same fields (SqlError,
 * DiskError); any other error arrives as a plain Error with its name and message.
 */
import type { Clock, TraceSink } from './clock.ts';
import type { NetworkFaults, NodeId } from './link-faults.ts';
import { SqlError, SqlState } from '../errors.ts';

/**
 * The shape of an API served over a link: methods only, arguments and results structured-
 * clone-able. A type alias satisfies `Api`; an interface does not (TypeScript gives interfaces
 * no implicit index signature), so `Link` is constrained by `ApiShape<T>`, which both satisfy.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Api = Record<string, (...args: any[]) => Promise<unknown>>;

/** `T` has only async methods. Use as `T extends ApiShape<T>`; works for interfaces and classes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ApiShape<T> = { [K in keyof T]: (...args: any[]) => Promise<unknown> };

/** The string-named methods of an API. */
export type ApiMethod<T> = keyof T & string;

export interface CallOptions {
  /** Deadline for this call; defaults to the link's `timeoutMs`. Includes time spent queued. */
  timeoutMs?: number;
  /** Buffers to transfer (not copy) with the arguments; the caller's copies are detached. */
  transfer?: ArrayBuffer[];
}

export interface Link<T extends ApiShape<T>> {
  call<K extends ApiMethod<T>>(
    method: K,
    args: Parameters<T[K]>,
    options?: CallOptions,
  ): Promise<Awaited<ReturnType<T[K]>>>;
  /** Rejects every pending and queued call with 08006 and refuses later ones. Idempotent. */
  close(reason?: string): void;
  readonly closed: boolean;
  /** Why the link closed, if it did. */
  readonly closeReason: string | undefined;
  /** Counters for the lab; a live object, read it whenever. */
  readonly stats: LinkStats;
}

/** Counters kept per link (and per served port). */
export interface LinkStats {
  /** Calls made (including ones that were refused because the link was closed). */
  calls: number;
  /** Calls that resolved. */
  ok: number;
  /** Calls that rejected, for any reason (remote error, timeout, closed link). */
  errors: number;
  /** Of `errors`, calls whose deadline expired. */
  timeouts: number;
  messagesSent: number;
  messagesReceived: number;
  /** Messages lost to a network partition, in either direction. */
  dropped: number;
  /** Messages held back by a network delay, in either direction. */
  delayed: number;
  /** Calls sent and not yet settled. */
  inFlight: number;
  /** Calls waiting for an in-flight slot (`maxInFlight`). */
  queued: number;
}

export function emptyLinkStats(): LinkStats {
  return {
    calls: 0,
    ok: 0,
    errors: 0,
    timeouts: 0,
    messagesSent: 0,
    messagesReceived: 0,
    dropped: 0,
    delayed: 0,
    inFlight: 0,
    queued: 0,
  };
}

export interface LinkOptions {
  /** Shown in errors: `dbid 3 (seg1 sdw2:6001)`. */
  peerName: string;
  /** This end's node id (a dbid or any string id), as NetworkFaults knows it. */
  from: NodeId;
  /** The peer's node id. */
  to: NodeId;
  /** Drives deadlines and network delays. */
  clock: Clock;
  /** Cuts and delays shared by the whole cluster; consulted at the calling end only. */
  faults?: NetworkFaults;
  /** Default deadline per call. Default 30 000 ms. */
  timeoutMs?: number;
  /** Bound on calls in flight; excess calls queue (their deadline runs while queued). */
  maxInFlight?: number;
  /** Trace events: link.timeout, link.closed, link.drop. */
  trace?: TraceSink;
}

export const DEFAULT_LINK_TIMEOUT_MS = 30_000;

/** The libpq wording for a peer that went away. */
export const CONNECTION_LOST_MESSAGE = 'server closed the connection unexpectedly';
export const CONNECTION_LOST_DETAIL =
  'This probably means the server terminated abnormally before or while processing the request.';

export function connectionLostError(): SqlError {
  return new SqlError(SqlState.connection_failure, CONNECTION_LOST_MESSAGE, {
    detail: CONNECTION_LOST_DETAIL,
  });
}

export function linkTimeoutError(peerName: string, method: string, timeoutMs: number): SqlError {
  return new SqlError(SqlState.connection_failure, 'timeout expired', {
    detail: `No reply from ${peerName} to ${method} within ${timeoutMs} ms.`,
  });
}

/** True for the errors a link itself raises (timeout, lost connection), as opposed to the peer's. */
export function isConnectionFailure(e: unknown): e is SqlError {
  return e instanceof SqlError && e.code === SqlState.connection_failure;
}

/** A served API; `close()` stops answering and closes the port. */
export interface Served {
  close(): void;
  readonly stats: LinkStats;
}

export { connectApi, serveApi } from './comlink-link.ts';
export type { PortLike } from './link-endpoint.ts';
