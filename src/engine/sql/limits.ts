/**
 * Limits a statement can hit, as PostgreSQL reports them: recursion deeper than the stack
 * allows (54001; PostgreSQL checks max_stack_depth, here the engine's own stack overflows and
 * is caught where a statement is parsed, planned or evaluated) and values larger than a string
 * can hold (54000).
 */
import type { SqlError } from '../errors.ts';
import { sqlError } from '../errors.ts';

/** The JavaScript engine ran out of stack. */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

export function stackDepthExceeded(): SqlError {
  return sqlError('statement_too_complex', 'stack depth limit exceeded', {
    hint: 'The statement nests expressions, subqueries or set operations too deeply; simplify it.',
  });
}

/** Runs `f`, turning a stack overflow into 54001. */
export function withStackGuard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isStackOverflow(e)) throw stackDepthExceeded();
    throw e;
  }
}

/**
 * The longest text value: PostgreSQL's is 1 GB; a JavaScript string holds about 2^29 UTF-16
 * units, so a longer result is refused before it is built.
 */
export const MAX_TEXT_LENGTH = 2 ** 29 - 24;

/** 54000 for a result longer than a text value can be (repeat, lpad, rpad, ||...). */
export function checkTextLength(length: number): void {
  if (length > MAX_TEXT_LENGTH) throw sqlError('program_limit_exceeded', 'requested length too large');
}
