import { describe, it, expect } from 'vitest';
import { PG_CASES } from './pg-cases.ts';
import { run } from './helpers.ts';

describe('expressions match PostgreSQL 15 output', () => {
  it.each(PG_CASES)('%s', (sql, expected) => {
    expect(run(sql)).toBe(expected);
  });
});
