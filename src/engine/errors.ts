/**
 * Errors a person can cause carry a SQLSTATE code (Postgres/Greenplum's five-character codes),
 * so a client can react to the class of failure and a learner sees the code a real cluster
 * would give. Programmer errors are plain `Error`s thrown by `assert`.
 */

/** SQLSTATE codes used by the engine, named as in Postgres' errcodes.txt. */
export const SqlState = {
  successful_completion: '00000',
  feature_not_supported: '0A000',
  invalid_transaction_state: '25000',
  in_failed_sql_transaction: '25P02',
  read_only_sql_transaction: '25006',
  active_sql_transaction: '25001',
  no_active_sql_transaction: '25P01',
  invalid_savepoint_specification: '3B001',
  syntax_error: '42601',
  undefined_table: '42P01',
  undefined_column: '42703',
  undefined_function: '42883',
  undefined_object: '42704',
  duplicate_table: '42P07',
  duplicate_cursor: '42P03',
  invalid_cursor_name: '34000',
  duplicate_column: '42701',
  duplicate_object: '42710',
  duplicate_alias: '42712',
  ambiguous_column: '42702',
  datatype_mismatch: '42804',
  grouping_error: '42803',
  invalid_column_reference: '42P10',
  invalid_recursion: '42P19',
  wrong_object_type: '42809',
  windowing_error: '42P20',
  invalid_preceding_or_following_size: '22013',
  invalid_argument_for_ntile: '22014',
  invalid_argument_for_nth_value: '22016',
  invalid_text_representation: '22P02',
  bad_copy_file_format: '22P04',
  invalid_datetime_format: '22007',
  datetime_field_overflow: '22008',
  numeric_value_out_of_range: '22003',
  string_data_right_truncation: '22001',
  division_by_zero: '22012',
  character_not_in_repertoire: '22021',
  untranslatable_character: '22P05',
  invalid_parameter_value: '22023',
  not_null_violation: '23502',
  unique_violation: '23505',
  cardinality_violation: '21000',
  invalid_parameter_name: '42602',
  undefined_parameter: '42P02',
  cant_change_runtime_param: '55P02',
  object_not_in_prerequisite_state: '55000',
  serialization_failure: '40001',
  deadlock_detected: '40P01',
  lock_not_available: '55P03',
  object_in_use: '55006',
  invalid_table_definition: '42P16',
  invalid_object_definition: '42P17',
  dependent_objects_still_exist: '2BP01',
  query_canceled: '57014',
  admin_shutdown: '57P01',
  crash_shutdown: '57P02',
  cannot_connect_now: '57P03',
  connection_failure: '08006',
  connection_does_not_exist: '08003',
  /** The commit was sent and its outcome could not be learned. */
  transaction_resolution_unknown: '08007',
  disk_full: '53100',
  out_of_memory: '53200',
  program_limit_exceeded: '54000',
  statement_too_complex: '54001',
  io_error: '58030',
  undefined_file: '58P01',
  data_corrupted: 'XX001',
  index_corrupted: 'XX002',
  internal_error: 'XX000',
  /** Greenplum's ERRCODE_GP_INTERCONNECTION_ERROR: gang creation failed (server/gang-errors.ts). */
  gp_interconnection_error: '58M01',
} as const;

export type SqlStateName = keyof typeof SqlState;

/** An error a client can act on: a SQLSTATE code, a message, optional detail, hint and position. */
export class SqlError extends Error {
  override name = 'SqlError';
  /** The five-character SQLSTATE. */
  readonly code: string;
  detail?: string;
  hint?: string;
  /** 1-based character position in the statement, for syntax errors. */
  position?: number;

  constructor(code: string, message: string, extra?: { detail?: string; hint?: string; position?: number }) {
    super(message);
    this.code = code;
    if (extra?.detail !== undefined) this.detail = extra.detail;
    if (extra?.hint !== undefined) this.hint = extra.hint;
    if (extra?.position !== undefined) this.position = extra.position;
  }
}

/** Builds a SqlError from a SQLSTATE name: `sqlError('division_by_zero', 'division by zero')`. */
export function sqlError(
  state: SqlStateName,
  message: string,
  extra?: { detail?: string; hint?: string; position?: number },
): SqlError {
  return new SqlError(SqlState[state], message, extra);
}

/** Serialisable shape of a SqlError, for crossing a MessageChannel. */
export interface SqlErrorData {
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  position?: number;
}

export function toSqlErrorData(e: SqlError): SqlErrorData {
  const d: SqlErrorData = { code: e.code, message: e.message };
  if (e.detail !== undefined) d.detail = e.detail;
  if (e.hint !== undefined) d.hint = e.hint;
  if (e.position !== undefined) d.position = e.position;
  return d;
}

export function fromSqlErrorData(d: SqlErrorData): SqlError {
  return new SqlError(d.code, d.message, d);
}

/** Programmer errors: an invariant the code relies on does not hold. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
