/**
 * Run links and run files: a plan round-trips byte for byte through the link and the file; a
 * link made by the previous format still reads; a damaged link, a newer format, or a step the
 * explorer cannot run is refused before anything replays, with a message that says why.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeRun,
  encodeRun,
  generatePlan,
  readRunFile,
  runFile,
  RunLinkError,
  RUN_LINK_VERSION,
  type Step,
} from '../../src/engine/index.ts';

async function refused(code: string): Promise<RunLinkError> {
  const e = await decodeRun(code).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(RunLinkError);
  return e as RunLinkError;
}

/** A link of arbitrary JSON, as a damaged or hand-made one would be. */
async function linkOf(data: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(data));
  const out = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  const b = new Uint8Array(await new Response(out).arrayBuffer());
  return btoa(String.fromCharCode(...b))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

describe('run links', () => {
  it('round-trip every seed plan exactly, and stay short', async () => {
    for (const seed of [1, 44, 117, 2 ** 31 - 1]) {
      const run = { seed, replication: 'wal' as const, plan: generatePlan(seed, 30), at: 7 };
      const code = await encodeRun(run);
      expect(code).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(code.length).toBeLessThan(2000);
      const back = await decodeRun(code);
      expect(back).toEqual({ version: RUN_LINK_VERSION, ...run });
      expect(JSON.stringify(back.plan)).toBe(JSON.stringify(run.plan));
    }
  });

  it('refuses damaged links, newer formats and steps it cannot run', async () => {
    const good = await encodeRun({ seed: 5, replication: 'filerep', plan: generatePlan(5, 10), at: 0 });
    expect((await refused(good.slice(0, good.length - 9))).reason).toBe('corrupt');
    expect((await refused('not a link!')).message).toMatch(/damaged .* copy the whole link again/);
    const future = await refused(await linkOf({ version: 3, seed: 1, replication: 'wal', plan: [], at: 0 }));
    expect(future.reason).toBe('version');
    expect(future.message).toMatch(/newer lab \(format 3\); this lab reads formats up to 2/);
    // Format 1 had neither a shape nor a person's steps.
    const v1 = { version: 1, seed: 1, replication: 'wal', at: 0 };
    expect((await refused(await linkOf({ ...v1, plan: [{ op: 'sql', text: 'select 1' }] }))).message).toMatch(
      /step 0: a sql step in a format 1 run/,
    );
    const shape = { mirroring: 'group', hosts: ['sdw1', 'sdw2'], segmentsPerHost: 2 };
    expect((await refused(await linkOf({ ...v1, shape, plan: [] }))).message).toMatch(
      /its cluster is not one the lab builds/,
    );
    const base = { version: 2, seed: 1, replication: 'wal', at: 0 };
    expect(
      (await refused(await linkOf({ ...base, shape: { ...shape, hosts: ['sdw1', 'sdw1'] }, plan: [] })))
        .message,
    ).toMatch(/its cluster is not one the lab builds/);
    expect((await refused(await linkOf({ ...base, plan: [{ op: 'sql', text: '' }] }))).message).toMatch(
      /step 0: a sql step with fields/,
    );
    // Shapes the lab cannot build: a segment on a coordinator's host, group mirroring on one
    // host, spread with no host free for a mirror.
    for (const bad of [
      { ...shape, hosts: ['cdw', 'sdw2'] },
      { ...shape, hosts: ['sdw1'] },
      { mirroring: 'spread', hosts: ['sdw1', 'sdw2'], segmentsPerHost: 2 },
      { mirroring: 'none', hosts: ['sdw1'], segmentsPerHost: 200 },
    ])
      expect((await refused(await linkOf({ ...base, shape: bad, plan: [] }))).message).toMatch(
        /not one the lab builds/,
      );
    // A replay must end in a moment: waits are capped at a day of virtual time.
    const days = Array.from({ length: 2 }, () => ({ op: 'wait', ms: 86_400_000 }));
    expect((await refused(await linkOf({ ...base, plan: days }))).message).toMatch(/more than a day/);
    expect((await refused(await linkOf({ ...base, plan: [{ op: 'rm -rf' }] }))).message).toMatch(
      /step 0: unknown step "rm -rf"/,
    );
    expect(
      (
        await refused(
          await linkOf({
            ...base,
            plan: [
              { op: 'wait', ms: 5 },
              { op: 'maintenance', command: 'gpexpand -c' },
            ],
          }),
        )
      ).message,
    ).toMatch(/step 1: a maintenance step with fields that do not fit it/);
    expect((await refused(await linkOf({ ...base, seed: 0, plan: [] }))).message).toMatch(/the seed/);
    expect((await refused(await linkOf({ ...base, plan: [], at: 3 }))).message).toMatch(/from 0 to 0/);
  });

  it('read a link made in format 1 (an explorer seed) as that run', async () => {
    const plan = generatePlan(9, 12);
    const run = await decodeRun(await linkOf({ version: 1, seed: 9, replication: 'wal', plan, at: 4 }));
    expect(run).toEqual({ version: 1, seed: 9, replication: 'wal', plan, at: 4 });
  });
});

describe('run files', () => {
  const recorded: Step[] = [
    { op: 'transfers', n: 3, salt: 11 },
    { op: 'crash', target: 2 },
    { op: 'wait', ms: 60_000 },
    { op: 'sql', text: "select * from gp_segment_configuration where status = 'd'", session: 1 },
    { op: 'utility', command: 'gprecoverseg -a' },
    { op: 'disconnect', session: 1 },
  ];
  const run = {
    seed: 77,
    replication: 'wal' as const,
    shape: { mirroring: 'spread' as const, hosts: ['sdw1', 'sdw2', 'sdw3'], segmentsPerHost: 2 },
    plan: recorded,
    at: 6,
  };

  it('round-trip byte for byte, and carry the same run as its link', async () => {
    const file = runFile(run);
    const back = readRunFile(file);
    expect(runFile(back)).toBe(file);
    expect(back).toEqual({ version: RUN_LINK_VERSION, ...run });
    expect(await decodeRun(await encodeRun(back))).toEqual(back);
    // A file made from a link's run is the same file.
    expect(runFile(await decodeRun(await encodeRun(run)))).toBe(file);
  });

  it('refuse what is not a run, with the reason', () => {
    const bad = (text: string) => {
      try {
        readRunFile(text);
      } catch (e) {
        expect(e).toBeInstanceOf(RunLinkError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad('{"version":2')).toMatch(/not a run file .*not JSON.*export the run again/);
    expect(bad(runFile(run).replace('"at": 6', '"at": 60'))).toMatch(/from 0 to 6/);
    expect(bad(runFile(run).replace('"version": 2', '"version": 9'))).toMatch(
      /run file was made by a newer lab/,
    );
  });
});
