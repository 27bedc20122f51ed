// What every one of a cluster's workers compiles before it can boot: the instance worker's
// entry chunk, built as the bench builds it. Each worker compiles it in its own isolate, so its
// size is paid 130 times by a 1+1+64x2 boot (measured in headless Chromium, served statically:
// 19.0 ms from spawn to ready with the 178 KB entry, 20.4 ms with the 213 KB one that had the
// type system in it, 11.7 ms for an empty script). Code that only a query or a utility needs
// belongs in the chunks loaded on first need (role-modules.ts).
import { describe, expect, it } from 'vitest';
import { build, type Rolldown } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function entryChunk(): Promise<Rolldown.OutputChunk> {
  const result = await build({
    configFile: false,
    root,
    logLevel: 'silent',
    publicDir: false,
    build: {
      write: false,
      minify: false,
      target: 'es2022',
      modulePreload: false,
      rolldownOptions: {
        input: `${root}src/workers/instance.worker.ts`,
        output: { format: 'es', entryFileNames: 'instance.worker.js' },
      },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const entry = outputs[0]!.output.find((c): c is Rolldown.OutputChunk => c.type === 'chunk' && c.isEntry);
  if (!entry) throw new Error('assertion failed: the build has no entry chunk');
  return entry;
}

describe("the instance worker's entry chunk", () => {
  it('holds storage, WAL and replication, not the SQL layer', async () => {
    const entry = await entryChunk();
    const ids = entry.moduleIds.map((id) => id.replace(root, ''));
    // What every instance needs to boot and replay.
    for (const needed of [
      'src/workers/idb-disk.ts',
      'src/engine/instance/instance.ts',
      'src/engine/access/btree.ts',
      'src/engine/replication/walreceiver.ts',
    ])
      expect(ids).toContain(needed);
    // The type system (its values' I/O, casts, numeric, dates, JSON), the parser, the planner
    // and the executor load with the role that runs queries. A btree is handed its key
    // comparison by whoever opens it, so replay does not pull in the type system.
    const sqlLayer = ids.filter((id) =>
      /^src\/engine\/(sql\/(types|types-io|types-cast|numeric|datetime|json|parser|lexer)|plan\/|exec\/)/.test(
        id,
      ),
    );
    expect(sqlLayer).toEqual([]);
  }, 60_000);
});
