/**
 * An instance's blocks for inspection (the read side of the bit-rot fault): as its disk holds
 * them, or as the running instance sees them, its buffer pool's copy over its disk's (what
 * pageinspect's get_raw_page reads). Every runtime answers from inside the instance's process,
 * so the worker runtime shows the same bytes as the inline one.
 */
import { sqlError } from '../errors.ts';
import type { BlockImage, BlockView } from './api.ts';
import type { InstanceNode } from './nodes.ts';
import { isFileRepMeta } from '../filerep/block-set.ts';
import { instanceOf } from './process.ts';

export function blockImages(node: InstanceNode, prefix: string, view: BlockView): BlockImage[] {
  const disk = node.disk;
  const pool = view === 'instance' && node.up ? instanceOf(node.process)?.pool : undefined;
  if (view === 'instance' && !pool)
    throw sqlError('object_not_in_prerequisite_state', `dbid ${node.dbid} runs no instance`, {
      hint: 'Read its disk instead, or start the instance first.',
    });
  const out: BlockImage[] = [];
  const files = new Set(disk.files(prefix));
  if (pool) for (const f of pool.files()) if (f.startsWith(prefix)) files.add(f);
  for (const file of [...files].sort()) {
    // File replication's own bookkeeping (the change tracking log) is the pair's, not data.
    if (isFileRepMeta(file)) continue;
    const n = view === 'instance' ? pool!.peekNblocks(file) : disk.nblocks(file);
    for (let block = 0; block < n; block++) {
      const bytes = view === 'instance' ? pool!.peek(file, block) : disk.read(file, block);
      if (bytes) out.push({ file, block, bytes: bytes.slice() });
    }
  }
  return out;
}
