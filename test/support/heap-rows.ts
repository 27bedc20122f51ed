/** What an instance's heap relation holds, as its transactions see it now (engine tests). */
import type { Instance } from '../../src/engine/instance/instance.ts';

const dec = new TextDecoder();

/** The visible rows of heap relation `rel`, decoded as text, sorted. */
export async function heapRows(inst: Instance, rel: number): Promise<string[]> {
  const tx = inst.xact.begin();
  const out: string[] = [];
  for await (const page of inst.heap(rel).scan(tx.commandSnapshot()))
    for (const r of page) out.push(dec.decode(r.data));
  return out.sort();
}
