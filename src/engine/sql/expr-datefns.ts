/** Built-in date/time functions: now() and friends, date_part/extract, date_trunc, make_date. */
import { sqlError } from '../errors.ts';
import type { Value } from './types.ts';
import { registerFunction } from './functions.ts';
import {
  civilFromDays,
  dateTrunc,
  datePart,
  daysFromCivil,
  dateToTimestamp,
  extractNumeric,
  timestampToDate,
} from './datetime.ts';

type DT = 'date' | 'timestamp' | 'timestamptz';

function register(): void {
  const now = (_a: Value[], ctx: { statementTime: number }): Value => ctx.statementTime;
  for (const name of [
    'now',
    'current_timestamp',
    'transaction_timestamp',
    'statement_timestamp',
    'clock_timestamp',
  ]) {
    registerFunction(name, [], 'timestamptz', now, { volatile: true });
  }
  registerFunction('localtimestamp', [], 'timestamp', now, { volatile: true });
  registerFunction('current_date', [], 'date', (_a, ctx) => timestampToDate(ctx.statementTime), {
    volatile: true,
  });
  for (const t of ['date', 'timestamp', 'timestamptz'] as DT[]) {
    // Postgres' date_part(text, date) is date_part(text, $2::timestamp): a date past the
    // timestamp range fails as that cast does.
    registerFunction('date_part', ['text', t], 'float8', (a) => {
      if (t === 'date') dateToTimestamp(a[1] as number);
      return datePart(a[0] as string, a[1] as number, t);
    });
    registerFunction('extract', ['text', t], 'numeric', (a) =>
      extractNumeric(a[0] as string, a[1] as number, t),
    );
  }
  registerFunction('date_trunc', ['text', 'timestamp'], 'timestamp', (a) =>
    dateTrunc(a[0] as string, a[1] as number, false),
  );
  registerFunction('date_trunc', ['text', 'timestamptz'], 'timestamptz', (a) =>
    dateTrunc(a[0] as string, a[1] as number, true),
  );
  registerFunction('make_date', ['int4', 'int4', 'int4'], 'date', (a) => {
    const [y, m, d] = a as number[];
    const yy = (y ?? 0) < 0 ? (y ?? 0) + 1 : (y ?? 0);
    if (y === 0 || (m ?? 0) < 1 || (m ?? 0) > 12 || (d ?? 0) < 1 || (d ?? 0) > 31) {
      throw sqlError('datetime_field_overflow', `date field value out of range: ${y}-${pad2(m)}-${pad2(d)}`);
    }
    const days = daysFromCivil(yy, m ?? 1, d ?? 1);
    if (civilFromDays(days).d !== d) {
      throw sqlError('datetime_field_overflow', `date field value out of range: ${y}-${pad2(m)}-${pad2(d)}`);
    }
    return days;
  });
}

function pad2(n: number | undefined): string {
  return String(n ?? 0).padStart(2, '0');
}

register();
