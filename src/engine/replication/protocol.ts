/**
 * Streaming replication messages (Postgres' XLogData and standby status, as RPC calls over the
 * pair's link) and the FTS probe answer.
 */
import type { Lsn } from '../storage/lsn.ts';
import type { TimelineEntry } from '../wal/segments.ts';

/** The standby's positions, as its status messages report them. */
export interface WalStatus {
  timeline: number;
  written: Lsn;
  flushed: Lsn;
  replayed: Lsn;
}

/** The FTS probe response: Greenplum's five booleans. */
export interface ProbeResponse {
  isMirrorUp: boolean;
  isInSync: boolean;
  isSyncRepEnabled: boolean;
  isRoleMirror: boolean;
  requestRetry: boolean;
  /** File replication (Greenplum 5): the primary's data state, and whether its mirror stopped answering. */
  fileRep?: { mode: 's' | 'c' | 'r'; faulted: boolean };
}

/** A mirror's answer to an FTS probe: FTS, taking it for a primary, sends PROMOTE again. */
export const MIRROR_PROBE_ANSWER: Readonly<ProbeResponse> = Object.freeze({
  isMirrorUp: false,
  isInSync: false,
  isSyncRepEnabled: false,
  isRoleMirror: true,
  requestRetry: false,
});

/** What a mirror serves to its primary (WAL) and to the coordinator (promotion). */
export interface MirrorApi {
  /** Opens streaming: where the mirror's WAL ends, and its system identifier and timeline. */
  identify(): Promise<WalStatus & { systemIdentifier: string }>;
  /** A batch of WAL starting at `start`; the reply is the status after writing and flushing it. */
  receiveWal(start: Lsn, data: ArrayBuffer, history: TimelineEntry[]): Promise<WalStatus>;
  /** FTS's PROMOTE. Idempotent; answers whether the instance is (still) a mirror. */
  promote(): Promise<{ isRoleMirror: boolean }>;
}

/** What an acting primary serves to FTS. */
export interface FtsApi {
  ftsProbe(): Promise<ProbeResponse>;
  ftsSyncRepOff(): Promise<ProbeResponse>;
}
