/**
 * gp_replica_check's comparison: a primary and its mirror, block by block.
 *
 * The primary takes a checkpoint (its pages reach its disk); the mirror answers once it has
 * replayed that checkpoint (its restartpoint wrote its pages), with a digest of every relation
 * block on its disk; the primary compares them with its own. A verified checksum is masked, as
 * gp_replica_check masks it; a block whose checksum fails keeps it, so bit rot on either side
 * shows. Blocks that change meanwhile would differ too: the comparison is repeated and only
 * blocks that differ every time are reported (Greenplum advises running it on a quiet cluster).
 */
import { sqlError } from '../errors.ts';
import type { Instance } from '../instance/instance.ts';
import type { Clock } from '../runtime/clock.ts';
import { comparableBlock } from '../storage/checksum.ts';
import { crc32c } from '../wal/crc32c.ts';
import { formatLsn, type Lsn } from '../storage/lsn.ts';

/** One relation block's digest, keyed `file#block`. */
export type BlockDigests = [string, number][];

/** What the primary reports, and keeps for the lab's instance details. */
export interface ReplicaCheckResult {
  /** Runtime ms when the check finished. */
  time: number;
  primary: number;
  mirror: number;
  /** Relation blocks compared. */
  blocks: number;
  /** `file block N` of every block that differs (or exists on one side only). */
  differing: string[];
}

/** The API a mirror serves for the check. */
export interface ReplicaCheckApi {
  /** Digests of the mirror's relation blocks once it has replayed the checkpoint at `checkpoint`. */
  replicaDigests(checkpoint: Lsn): Promise<BlockDigests>;
  /** On a primary: compares its relation blocks with its mirror's. */
  replicaCheck(): Promise<ReplicaCheckResult>;
}

/** Digests of every block of the relation files on the instance's disk. */
export function blockDigests(inst: Instance): BlockDigests {
  const out: BlockDigests = [];
  for (const file of inst.disk.files('base/'))
    for (let b = 0; b < inst.disk.nblocks(file); b++) {
      const data = inst.disk.view(file, b);
      if (data) out.push([`${file}#${b}`, crc32c(comparableBlock(data, b))]);
    }
  return out;
}

/** The blocks whose digests differ, as `file block N`, in file and block order. */
export function differingDigests(a: BlockDigests, b: BlockDigests): string[] {
  const mine = new Map(a);
  const theirs = new Map(b);
  const keys = new Set([...mine.keys(), ...theirs.keys()]);
  return [...keys]
    .filter((k) => mine.get(k) !== theirs.get(k))
    .map((k) => {
      const at = k.lastIndexOf('#');
      return { file: k.slice(0, at), block: Number(k.slice(at + 1)) };
    })
    .sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : x.block - y.block))
    .map((x) => `${x.file} block ${x.block}`);
}

/** The mirror's side: waits (at most `timeoutMs`) until its restartpoint reached `checkpoint`. */
export async function mirrorDigests(
  inst: Instance,
  clock: Clock,
  checkpoint: Lsn,
  timeoutMs: number,
): Promise<BlockDigests> {
  const deadline = clock.now() + timeoutMs;
  while (inst.control.checkpoint < checkpoint) {
    if (!inst.standby) throw sqlError('object_not_in_prerequisite_state', 'this instance is not a mirror');
    if (clock.now() >= deadline)
      throw sqlError(
        'object_not_in_prerequisite_state',
        `the mirror has not replayed the primary's checkpoint at ${formatLsn(checkpoint)}`,
        { detail: `Its last restartpoint is at ${formatLsn(inst.control.checkpoint)}.` },
      );
    await clock.sleep(10);
  }
  return blockDigests(inst);
}

/** The primary's side: checkpoint, the mirror's digests, compare; three rounds at most. */
export async function primaryReplicaCheck(
  inst: Instance,
  clock: Clock,
  ids: { primary: number; mirror: number },
  mirror: (checkpoint: Lsn) => Promise<BlockDigests>,
): Promise<ReplicaCheckResult> {
  let still: Set<string> | undefined;
  let blocks = 0;
  for (let round = 0; round < 3; round++) {
    await inst.checkpoint();
    const theirs = await mirror(inst.control.checkpoint);
    const mine = blockDigests(inst);
    blocks = new Set([...mine.map(([k]) => k), ...theirs.map(([k]) => k)]).size;
    const diff = differingDigests(mine, theirs);
    still = new Set(still ? diff.filter((d) => still!.has(d)) : diff);
    if (!still.size) break;
  }
  return { time: clock.now(), ...ids, blocks, differing: [...(still ?? [])] };
}
