/**
 * The physical replication slot every acting primary keeps for its mirror,
 * `internal_wal_replication_slot`. It holds back WAL removal for a mirror that is behind, up
 * to max_slot_wal_keep_size; past that a checkpoint invalidates it (wal_status `lost`) and the
 * mirror can never stream from it again: only a base backup (gprecoverseg -F), which creates
 * the slot anew, brings the pair back. The state is on disk, as pg_replslot is, so a primary
 * restart does not revive a lost slot.
 */
import type { Instance } from '../instance/instance.ts';
import { BLCKSZ } from '../storage/disk.ts';

export const SLOT_NAME = 'internal_wal_replication_slot';
export const SLOT_FILE = `pg_replslot/${SLOT_NAME}`;

export function slotLost(inst: Instance): boolean {
  const b = inst.disk.read(SLOT_FILE, 0);
  return !!b && b[0] === 1;
}

/** Invalidates the slot; durable with the checkpoint that removes the WAL it held. */
export function markSlotLost(inst: Instance): void {
  const block = new Uint8Array(BLCKSZ);
  block[0] = 1;
  inst.disk.write(SLOT_FILE, 0, block);
}

/** pg_basebackup (re)creates the slot: the new mirror streams from the backup's redo point. */
export function createSlot(inst: Instance): void {
  if (inst.disk.read(SLOT_FILE, 0)) inst.disk.write(SLOT_FILE, 0, new Uint8Array(BLCKSZ));
}
