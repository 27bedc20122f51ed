/** The live region's words for a mirror coming up: "up again" only for one that was down. */
import { describe, expect, it } from 'vitest';
import { haNews } from '../../src/ui/state/ha-news.ts';

const ctx = { fileRep: false, hostOf: () => undefined };
const up = (mode: 's' | 'n' | 'r', wasDown: boolean) =>
  haNews({ kind: 'fts.mirror_up', content: 6, dbid: 14, mode, wasDown }, ctx);

describe('haNews for fts.mirror_up', () => {
  it.each([
    ['s', true, 'The mirror of content 6 is up again and in sync.'],
    ['n', true, 'The mirror of content 6 is up again, catching up.'],
    // A mirror that was up: a new one gpexpand added, or one that caught up.
    ['s', false, 'The mirror of content 6 is in sync.'],
    ['n', false, 'The mirror of content 6 is up, catching up.'],
    ['r', true, 'The mirror of content 6 is back: its primary is resynchronizing it.'],
  ] as const)('mode %s, was down %s', (mode, wasDown, words) => {
    expect(up(mode, wasDown)).toBe(words);
  });
});
