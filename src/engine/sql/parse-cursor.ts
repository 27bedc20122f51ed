/**
 * Cursor statements: DECLARE, FETCH, MOVE and CLOSE. Greenplum's cursors scan forward only:
 * a backward direction parses (it is Postgres syntax) and is refused when it runs, with
 * Greenplum's error; SCROLL is refused here.
 */
import { sqlError } from '../errors.ts';
import type { CloseCursorStmt, DeclareCursorStmt, FetchDirection, FetchStmt } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { isQueryStart, parseQuery } from './parse-query.ts';

/** `DECLARE name [BINARY] [ASENSITIVE | INSENSITIVE] [NO SCROLL] CURSOR [WITH[OUT] HOLD] FOR query`. */
export function parseDeclare(c: Cursor): DeclareCursorStmt {
  const pos = c.expectWord('declare').pos;
  const name = c.colId();
  for (;;) {
    if (c.isWord('binary')) throw c.unsupported('BINARY cursors');
    if (c.acceptWord('asensitive') || c.acceptWord('insensitive')) continue;
    if (c.isWord('scroll')) throw c.unsupported('scrollable cursors');
    if (c.acceptWord('no')) {
      c.expectWord('scroll');
      continue;
    }
    break;
  }
  c.expectWord('cursor');
  let hold = false;
  if (c.acceptWord('with')) {
    c.expectWord('hold');
    hold = true;
  } else if (c.acceptWord('without')) c.expectWord('hold');
  c.expectWord('for');
  if (!c.isOp('(') && !isQueryStart(c)) throw c.syntaxError();
  return { kind: 'declareCursor', name, hold, query: parseQuery(c), pos };
}

/** A signed integer count (`5`, `-2`, `+1`). */
function count(c: Cursor): number | undefined {
  const sign = c.isOp('-') ? -1 : 1;
  const k = c.isOp('-') || c.isOp('+') ? 1 : 0;
  const t = c.peek(k);
  if (t.kind !== 'number' || !/^\d+$/.test(t.value)) return undefined;
  if (k) c.next();
  c.next();
  const n = Number(t.value);
  if (!Number.isSafeInteger(n)) throw sqlError('numeric_value_out_of_range', 'bigint out of range');
  return sign * n;
}

function direction(c: Cursor): FetchDirection {
  const n = count(c);
  if (n !== undefined) return { how: 'forward', count: n };
  if (c.acceptWord('next')) return { how: 'forward', count: 1 };
  if (c.acceptWord('prior')) return { how: 'backward', count: 1 };
  if (c.acceptWord('first')) return { how: 'absolute', count: 1 };
  if (c.acceptWord('last')) return { how: 'absolute', count: -1 };
  if (c.acceptWord('all')) return { how: 'forward', count: 'all' };
  for (const how of ['absolute', 'relative'] as const)
    if (c.acceptWord(how)) {
      const k = count(c);
      if (k === undefined) throw c.syntaxError();
      return { how, count: k };
    }
  for (const how of ['forward', 'backward'] as const)
    if (c.acceptWord(how)) {
      if (c.acceptWord('all')) return { how, count: 'all' };
      return { how, count: count(c) ?? 1 };
    }
  return { how: 'forward', count: 1 };
}

/** `FETCH | MOVE [direction] [FROM | IN] name`. */
export function parseFetch(c: Cursor): FetchStmt {
  const t = c.next();
  const move = t.value === 'move';
  // A lone name is the cursor (FETCH c), not a direction.
  const named = c.isColId() && (c.peek(1).kind === 'eof' || c.isOp(';', 1));
  const dir = named ? { how: 'forward' as const, count: 1 } : direction(c);
  if (!c.acceptWord('from')) c.acceptWord('in');
  return { kind: 'fetch', move, direction: dir, name: c.colId(), pos: t.pos };
}

/** `CLOSE name | ALL`. */
export function parseClose(c: Cursor): CloseCursorStmt {
  const pos = c.expectWord('close').pos;
  if (c.acceptWord('all')) return { kind: 'closeCursor', name: undefined, pos };
  return { kind: 'closeCursor', name: c.colId(), pos };
}
