/**
 * Differential test: every corpus statement runs on our cluster and on a real PostgreSQL, in
 * order, one fresh cluster and one fresh PG database per corpus file; result sets (order-
 * insensitive unless the ORDER BY determines order), command tags, row counts and SQLSTATEs
 * must agree. One vitest test per statement; see harness.ts for the corpus format and rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCluster } from '../../src/engine/index.ts';
import { FileRun, loadCorpus, title } from './harness.ts';
import type { CorpusFile, OurSystem } from './harness.ts';
import { generatedCorpus } from './generate.ts';
import { startPgServer } from './pg-server.ts';
import type { PgServer } from './pg-server.ts';

/** The cluster every corpus file runs on: two hosts, two primaries each, so data is spread. */
const CLUSTER_OPTIONS: Parameters<typeof createCluster>[0] = {
  hosts: ['sdw1', 'sdw2'],
  segmentsPerHost: 2,
  mirroring: 'none',
  runtime: 'inline',
  storage: 'memory',
};

const files: CorpusFile[] = [...loadCorpus(), generatedCorpus()];

let pg: PgServer | undefined;
let pgFailure: unknown;
beforeAll(async () => {
  // Remembered rather than thrown so every test reports it (e.g. the apt-get hint).
  pg = await startPgServer().catch((e: unknown) => {
    pgFailure = e;
    return undefined;
  });
}, 120_000);
afterAll(async () => {
  await pg?.stop();
}, 60_000);

const server = () => {
  if (!pg) throw pgFailure instanceof Error ? pgFailure : new Error('PostgreSQL did not start');
  return pg;
};

async function openOurs(): Promise<OurSystem> {
  const cluster = await createCluster(CLUSTER_OPTIONS);
  try {
    const session = await cluster.connect();
    return {
      session,
      async close() {
        try {
          await session.close();
        } finally {
          await cluster.close();
        }
      },
    };
  } catch (e) {
    await cluster.close();
    throw e;
  }
}

files.forEach((file, index) => {
  describe(file.name, () => {
    const run = new FileRun(file, index, server, openOurs);
    // A failure to open is reported by every test of the file (rather than skipping them all).
    beforeAll(
      () => run.open().catch((e: unknown) => run.markBroken(`opening the file's systems failed: ${e}`)),
      120_000,
    );
    afterAll(() => run.close(), 60_000);
    for (const stmt of file.statements) {
      it(title(stmt), async () => {
        const diff = await run.step(stmt);
        if (diff) expect.fail(diff);
      });
    }
  });
});
