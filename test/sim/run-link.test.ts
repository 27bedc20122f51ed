/**
 * Run links: a plan round-trips byte for byte through the link; a damaged link, a newer
 * format, or a step the explorer cannot run is refused before anything replays, with a
 * message that says why.
 */
import { describe, expect, it } from 'vitest';
import { decodeRun, encodeRun, generatePlan, RunLinkError } from '../../src/engine/index.ts';

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
      expect(back).toEqual({ version: 1, ...run });
      expect(JSON.stringify(back.plan)).toBe(JSON.stringify(run.plan));
    }
  });

  it('refuses damaged links, newer formats and steps it cannot run', async () => {
    const good = await encodeRun({ seed: 5, replication: 'filerep', plan: generatePlan(5, 10), at: 0 });
    expect((await refused(good.slice(0, good.length - 9))).reason).toBe('corrupt');
    expect((await refused('not a link!')).message).toMatch(/damaged .* copy the whole link again/);
    const future = await refused(await linkOf({ version: 2, seed: 1, replication: 'wal', plan: [], at: 0 }));
    expect(future.reason).toBe('version');
    expect(future.message).toMatch(/newer lab \(link format 2\); this lab reads format 1/);
    const base = { version: 1, seed: 1, replication: 'wal', at: 0 };
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
});
