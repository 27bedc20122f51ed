import { it, expect } from 'vitest';
import { encodeRow, decodeRow } from '../../../../src/engine/sql/tuple-codec.ts';
import { cdbhash } from '../../../../src/engine/sql/cdbhash.ts';
import { compileExpr } from '../../../../src/engine/sql/eval.ts';
import type { SqlType, Value } from '../../../../src/engine/sql/types.ts';
import { bind, ctx } from './helpers.ts';

it('encodes, decodes, hashes and filters 200k rows quickly', () => {
  const types: SqlType[] = [{ name: 'int4' }, { name: 'text' }, { name: 'float8' }];
  const t0 = performance.now();
  let bytes = 0;
  let sum = 0;
  const pred = compileExpr(bind("a > 100 and b like 'row1%'", { a: types[0]!, b: types[1]! }));
  const c = ctx();
  for (let i = 0; i < 200_000; i++) {
    const row: Value[] = [i, `row${i}`, i * 0.5];
    const enc = encodeRow(row, types);
    bytes += enc.length;
    const dec = decodeRow(enc, types);
    sum += cdbhash([dec[0] as number], [types[0]!], 4);
    if (pred(dec, c) === true) sum++;
  }
  const ms = performance.now() - t0;
  console.log(`200k rows: ${ms.toFixed(0)} ms, ${bytes} bytes`);
  expect(sum).toBeGreaterThan(0);
  expect(ms).toBeLessThan(5000);
});
