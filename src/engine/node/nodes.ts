/**
 * The instances of a cluster and the links between them, for the in-thread runtimes: every
 * instance is its own server object with its own disk, and every call between two instances
 * goes over a MessageChannel with Comlink, exactly as between workers, through the network
 * faults (partitions, delays) of the cluster.
 */
import { sqlError } from '../errors.ts';
import type { ReplicaCheckApi } from '../replication/replica-check.ts';
import type { SegmentConfig } from '../catalog/catalog.ts';
import type { Disk } from '../storage/disk.ts';
import { refuseLater, type Clock, type TraceSink } from '../runtime/clock.ts';
import { connectApi, serveApi } from '../runtime/comlink-link.ts';
import type { Link } from '../runtime/link.ts';
import { NetworkFaults } from '../runtime/link-faults.ts';
import { globalMessageChannel, type ChannelLike, type PortLike } from '../runtime/link-endpoint.ts';
import type { SegmentApi } from '../server/protocol.ts';
import type { FtsApi, MirrorApi } from '../replication/protocol.ts';
import type { Settings } from '../server/settings.ts';
import type { SourceSnapshot } from '../replication/copy-source.ts';
import type { FileRepApi } from '../filerep/protocol.ts';
import type { RunningProcess } from './process.ts';

/** Who an instance is, and whether its process runs: known alike in every process. */
interface NodeIdentity {
  dbid: number;
  content: number;
  host: string;
  /** The process is running (false after a crash, until restarted). */
  up: boolean;
  /** Bumped at every start: code of a crashed incarnation can no longer reach anything. */
  incarnation: number;
  /** Removed from the configuration (an old coordinator after activation, a removed standby). */
  retired?: boolean;
}

/** An instance whose process runs in this thread: its disk, its configuration, its role. */
export interface InstanceNode extends NodeIdentity {
  readonly kind: 'local';
  disk: Disk;
  /** Fences the disk handle of the running incarnation. */
  fence?: () => void;
  /** The configuration the running process was started with and last reloaded (postgresql.conf). */
  config: Settings | undefined;
  /** What the process runs and serves now, by its role; undefined while it is down. */
  process: RunningProcess | undefined;
  /** Why its last start refused to run it (a former primary without standby.signal). */
  refused?: string;
}

/** An instance whose process runs elsewhere (another worker): reached only by calls over a port. */
export interface RemoteNode extends NodeIdentity {
  readonly kind: 'remote';
}

export type ClusterNode = InstanceNode | RemoteNode;

/**
 * What each role serves. A role's handlers are built against its type, so the compiler checks
 * that none is missing and each has the API's signature.
 */
export type MirrorHandlers = Pick<
  InstanceApi,
  'identify' | 'receiveWal' | 'promote' | 'ftsProbe' | 'replicaDigests' | 'sourceSnapshot'
>;
/** A WAL-replicating primary: the segment executor, FTS's probe and SYNCREP_OFF, the replica check. */
export type PrimaryHandlers = SegmentApi &
  CopyApi &
  Pick<InstanceApi, 'ftsProbe' | 'ftsSyncRepOff' | 'promote' | 'replicaCheck'>;
/** A file-replicating primary: the segment executor, FTS, and the resynchronization it runs. */
export type FileRepPrimaryHandlers = SegmentApi &
  CopyApi &
  Pick<InstanceApi, 'ftsProbe' | 'ftsSyncRepOff' | 'promote' | 'filerepResync' | 'filerepStatus'>;
/** The coordinator: reached by sessions, not calls; it serves copies of its files (gpinitstandby). */
export type CoordinatorHandlers = CopyApi;
/** A passive file-replication mirror: the pair's connection, FTS's probe, PROMOTE. */
export type FileRepMirrorHandlers = Pick<
  InstanceApi,
  | 'filerepConnect'
  | 'filerepApply'
  | 'filerepSync'
  | 'filerepPing'
  | 'filerepStatus'
  | 'ftsProbe'
  | 'promote'
  | 'sourceSnapshot'
>;

/** The node of an instance not started yet: its identity and disk, no process. */
export function stoppedNode(
  row: Pick<SegmentConfig, 'dbid' | 'content' | 'hostname'>,
  disk: Disk,
): InstanceNode {
  return {
    dbid: row.dbid,
    content: row.content,
    host: row.hostname,
    kind: 'local',
    disk,
    up: false,
    incarnation: 0,
    config: undefined,
    process: undefined,
  };
}

/** Everything an instance may serve; which part it serves depends on its current role. */
export type InstanceApi = SegmentApi & MirrorApi & FtsApi & CopyApi & FileRepApi & ReplicaCheckApi;

/** A running primary or coordinator serves copies of its files (base backup, pg_rewind). */
export interface CopyApi {
  sourceSnapshot(forBackup: boolean): Promise<SourceSnapshot>;
}

export class NodeSet {
  readonly nodes = new Map<number, ClusterNode>();
  readonly faults = new NetworkFaults();
  private readonly links = new Map<string, { link: Link<InstanceApi>; close(): void }>();
  private readonly clock: Clock;
  private readonly trace: TraceSink;
  /** Deadline of a call between instances (gp_segment_connect_timeout-like). */
  callTimeoutMs: number;

  /** Makes the channel of a new link: a real MessageChannel, or the simulator's. */
  private readonly channel: () => ChannelLike;

  /** Hands out a port to a remote node's process (the worker runtime); one per caller and peer. */
  connector: ((from: number, to: number) => Promise<PortLike>) | undefined;
  private readonly connecting = new Map<string, Promise<Link<InstanceApi>>>();

  constructor(clock: Clock, trace: TraceSink, channel?: () => ChannelLike, callTimeoutMs = 3_600_000) {
    this.clock = clock;
    this.trace = trace;
    this.callTimeoutMs = callTimeoutMs;
    this.channel =
      channel ??
      (() => {
        const Channel = globalMessageChannel();
        return new Channel();
      });
  }

  add(node: ClusterNode): void {
    this.nodes.set(node.dbid, node);
  }

  get(dbid: number): ClusterNode {
    const n = this.nodes.get(dbid);
    if (!n) throw sqlError('undefined_object', `no instance with dbid ${dbid}`);
    return n;
  }

  /** An instance whose process runs in this thread (the inline runtimes hold only such). */
  local(dbid: number): InstanceNode {
    const n = this.get(dbid);
    if (n.kind !== 'local') throw new Error(`assertion failed: dbid ${dbid} runs in another process`);
    return n;
  }

  /** Every instance, for a runtime whose processes all run in this thread. */
  allLocal(): InstanceNode[] {
    return [...this.nodes.keys()].map((dbid) => this.local(dbid));
  }

  /** The other instance of a pair (a segment's mirror or primary; the coordinator's standby). */
  mirrorOf(node: ClusterNode): ClusterNode | undefined {
    return [...this.nodes.values()].find(
      (n) => n.content === node.content && n.dbid !== node.dbid && !n.retired,
    );
  }

  byHost(host: string): ClusterNode[] {
    return [...this.nodes.values()].filter((n) => n.host === host);
  }

  /** Calls a method of `to`, from `from`, over their link (with a deadline). */
  call<K extends keyof InstanceApi>(
    from: number,
    to: number,
    method: K,
    args: Parameters<InstanceApi[K]>,
    timeoutMs?: number,
    transfer?: ArrayBuffer[],
  ): Promise<Awaited<ReturnType<InstanceApi[K]>>> {
    const target = this.nodes.get(to);
    // Refused on a later task, as a network answers: a caller retrying in a loop still lets
    // timers (FTS) and messages run between its attempts.
    if (!target || !target.up) return refuseLater(this.clock, refused(target));
    const options =
      timeoutMs === undefined && !transfer?.length
        ? undefined
        : { ...(timeoutMs === undefined ? {} : { timeoutMs }), ...(transfer?.length ? { transfer } : {}) };
    if (target.kind === 'remote')
      return this.remoteLink(from, target).then((l) => l.call(method, args, options));
    return this.link(from, to).call(method, args, options);
  }

  /** A link to a node in another process, over a port its runtime hands out (once per pair). */
  private remoteLink(from: number, target: RemoteNode): Promise<Link<InstanceApi>> {
    const key = `${from}>${target.dbid}`;
    const l = this.links.get(key);
    if (l && !l.link.closed) return Promise.resolve(l.link);
    let p = this.connecting.get(key);
    if (!p) {
      if (!this.connector) return refuseLater(this.clock, refused(target));
      p = this.connector(from, target.dbid).then(
        (port) => {
          this.connecting.delete(key);
          const link = this.linkOn(port, from, target);
          this.links.set(key, {
            link,
            close: () => {
              link.close('the instance went down');
              port.close();
            },
          });
          return link;
        },
        (e: unknown) => {
          this.connecting.delete(key);
          throw e;
        },
      );
      this.connecting.set(key, p);
    }
    return p;
  }

  private linkOn(port: PortLike, from: number, target: ClusterNode): Link<InstanceApi> {
    return connectApi<InstanceApi>(port, {
      peerName: `dbid ${target.dbid} (seg${target.content} ${target.host})`,
      from,
      to: target.dbid,
      clock: this.clock,
      faults: this.faults,
      timeoutMs: this.callTimeoutMs,
      trace: this.trace,
    });
  }

  /** The instance died: every link to or from it breaks, pending calls fail at once. */
  disconnect(dbid: number): void {
    for (const [key, l] of this.links) {
      const [a, b] = key.split('>').map(Number);
      if (a === dbid || b === dbid) {
        l.close();
        this.links.delete(key);
      }
    }
  }

  closeAll(): void {
    for (const l of this.links.values()) l.close();
    this.links.clear();
  }

  private link(from: number, to: number): Link<InstanceApi> {
    const key = `${from}>${to}`;
    let l = this.links.get(key);
    if (!l || l.link.closed) {
      const target = this.local(to);
      const ch = this.channel();
      const served = serveApi(ch.port1, forwardTo(target));
      const link = this.linkOn(ch.port2, from, target);
      l = {
        link,
        close: () => {
          link.close('the instance went down');
          served.close();
          ch.port1.close();
          ch.port2.close();
        },
      };
      this.links.set(key, l);
    }
    return l.link;
  }
}

/** The served side of a link forwards to whatever the node's process serves now. */
export function forwardTo(target: InstanceNode): InstanceApi {
  return new Proxy({} as Record<string, unknown>, {
    get: (_t, prop) => {
      if (typeof prop !== 'string') return undefined;
      return (...args: unknown[]) => {
        const handlers: Partial<InstanceApi> | undefined = target.process?.handlers;
        const h = handlers?.[prop as keyof InstanceApi] as
          ((...a: unknown[]) => Promise<unknown>) | undefined;
        if (!target.up) return Promise.reject(refused(target));
        if (!h) return Promise.reject(prop === 'ping' ? notAcceptingConnections() : notServed(target, prop));
        return h(...args);
      };
    },
  }) as unknown as InstanceApi;
}

function notServed(n: ClusterNode, method: string): Error {
  return sqlError(
    'object_not_in_prerequisite_state',
    `dbid ${n.dbid} cannot serve ${method} in its current role`,
  );
}

/**
 * A connection (a gang's `ping`) to an instance that is up but not open to sessions: a mirror,
 * or one still finishing its promotion. Postgres answers 57P03, which Greenplum's gang creation
 * retries (gp_gang_creation_retry_count). (An instance in crash recovery is not up yet: it
 * refuses connections outright, 08006.)
 */
function notAcceptingConnections(): Error {
  return sqlError('cannot_connect_now', 'the database system is in recovery mode');
}

function refused(n: ClusterNode | undefined): Error {
  return sqlError('connection_failure', 'could not connect to server: Connection refused', {
    detail: n
      ? `Is the server running on host "${n.host}" and accepting TCP/IP connections (dbid ${n.dbid}, content ${n.content})?`
      : undefined,
  });
}

export type { SegmentConfig };
