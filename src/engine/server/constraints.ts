import { sqlError } from '../errors.ts';
import type { TableInfo } from '../plan/plan.ts';
import { formatValue } from '../sql/types.ts';
import type { Row } from './protocol.ts';

/** NOT NULL, checked where rows are stored (or routed), with Postgres' message. */
export function checkNotNull(table: TableInfo, r: Row): void {
  table.columns.forEach((c, i) => {
    if (c.notNull && (r[i] ?? null) === null)
      throw sqlError(
        'not_null_violation',
        `null value in column "${c.name}" of relation "${table.name}" violates not-null constraint`,
        {
          detail: `Failing row contains (${r
            .slice(0, table.columns.length)
            .map((v, i) => (v === null ? 'null' : formatValue(v, table.columns[i]!.type)))
            .join(', ')}).`,
        },
      );
  });
}
