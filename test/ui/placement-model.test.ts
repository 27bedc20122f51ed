/** The planner's import tab: nothing pasted is not an error; something unreadable is. */
import { describe, expect, it } from 'vitest';
import { importLayout } from '../../src/ui/placement/placement-model.ts';

describe('importLayout', () => {
  it('says nothing of an empty box, and names the problem of text it cannot read', () => {
    for (const blank of ['', '  \n '])
      expect(importLayout(blank)).toEqual({
        config: undefined,
        problems: [],
        parseError: undefined,
        whatIf: [],
        bootable: undefined,
      });
    expect(importLayout('x').parseError).toMatch(/^line 1: /);
  });
});
