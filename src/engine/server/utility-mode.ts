/**
 * A utility-mode session on the coordinator (gp_role=utility, as after gpstart -m): it reads
 * the coordinator's own catalog and settings. Greenplum would let it change that catalog alone
 * and would show every table empty (their rows are on the segments, which it never reaches);
 * the lab refuses both, saying why, rather than answer with rows that are not there.
 */
import { sqlError } from '../errors.ts';
import type { Statement } from '../sql/ast.ts';

const ALLOWED = new Set([
  'select',
  'values',
  'setop',
  'show',
  'set',
  'reset',
  'begin',
  'commit',
  'rollback',
  'explain',
  'checkpoint',
]);

export function refuseInUtilityMode(stmt: Statement): void {
  if (ALLOWED.has(stmt.kind)) return;
  throw sqlError(
    'feature_not_supported',
    `${stmt.kind.toUpperCase()} is not allowed in a utility-mode session on the coordinator`,
    {
      hint: "Utility mode reads the coordinator's own catalog (gp_segment_configuration, pg_tables, SHOW). Start the cluster with gpstart -a to change data.",
    },
  );
}

/** A query of a utility-mode session that reads tables: their rows are on the segments. */
export function tablesInUtilityMode(names: string[]): Error {
  return sqlError(
    'feature_not_supported',
    `table ${names.map((n) => `"${n}"`).join(', ')} cannot be read in a utility-mode session on the coordinator`,
    {
      detail:
        'Its rows are on the segments, which a utility-mode session does not reach (Greenplum would show it empty).',
      hint: 'Start the cluster with gpstart -a to read it; utility mode reads catalog views such as gp_segment_configuration.',
    },
  );
}
