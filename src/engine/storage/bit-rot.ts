/**
 * The bit-rot fault: one bit of a block flipped where it is stored, as a failing disk or a
 * cosmic ray would leave it. The instance finds out only when it next reads the block from disk
 * (a checksum or a layout check fails: XX001), or, for WAL, when it next replays it.
 */
import { sqlError } from '../errors.ts';
import { BLCKSZ, type Disk } from './disk.ts';

/** Flips bit `bit` (0..65535, default one in the middle of the block) of `file` block `block`. */
export async function flipBit(disk: Disk, file: string, block: number, bit = BLCKSZ * 4 + 3): Promise<void> {
  if (!Number.isInteger(bit) || bit < 0 || bit >= BLCKSZ * 8)
    throw sqlError('invalid_parameter_value', `bit ${bit} is outside a ${BLCKSZ}-byte block`);
  const data = disk.read(file, block);
  if (!data)
    throw sqlError(
      'undefined_file',
      `could not open file "${file}" block ${block}: No such file or directory`,
    );
  data[bit >>> 3] = data[bit >>> 3]! ^ (1 << (bit & 7));
  disk.write(file, block, data);
  await disk.sync();
}
