import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { chromiumPath, chromiumArgs } from './scripts/chromium-path.mjs';

/** The cluster scenario suites, run on each runtime (inline in `node`, then worker and sim). */
const scenarioSuites = [
  'test/mirroring/scenarios/*.test.ts',
  'test/standby/*.test.ts',
  'test/recovery/*.test.ts',
  'test/cluster/*.test.ts',
  'test/mirroring/*.test.ts',
  'test/filerep/*.test.ts',
];

export default defineConfig({
  test: {
    // Two node files at a time (on two cores the default is one): the engine's suites then end
    // with the browser project's, which runs its files one after another beside them.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          // One module graph per worker, not per file: the three node projects took 410 s instead
          // of 496 s on a 2-core machine (back-to-back runs), most of it the engine imported
          // again for each of ~220 files. A file that needs a module of its own takes it as a
          // parameter (no vi.mock); the setup files run again before each file.
          isolate: false,
          include: ['test/**/*.test.ts'],
          exclude: ['test/browser/**'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          // The cluster scenarios again, on the worker runtime's orchestration (processes in-thread).
          name: 'node-worker',
          environment: 'node',
          isolate: false,
          include: scenarioSuites,
          setupFiles: ['test/support/process-runtime.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          // The same scenarios on the sim runtime: virtual time, seeded delivery; a test's waits
          // and deadlines count virtual time there (test/support/sim-runtime.ts).
          name: 'node-sim',
          environment: 'node',
          isolate: false,
          include: scenarioSuites,
          setupFiles: ['test/support/sim-runtime.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          // One page at a time: the browser tests measure a tab's workers against each other.
          fileParallelism: false,
          testTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath(), args: chromiumArgs },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
