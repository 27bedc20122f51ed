import { expect } from 'vitest';
import type { Cluster } from '../../src/engine/index.ts';

/** Runs a utility command line, expects its exit code, and returns what it printed. */
export async function run(c: Cluster, line: string, exit = 0): Promise<string> {
  const r = await c.run(line);
  expect(r.exitCode, `${line}\n${r.stdout}${r.stderr}`).toBe(exit);
  return r.stdout + r.stderr;
}
