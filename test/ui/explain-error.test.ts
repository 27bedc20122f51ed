/** What the workload panel says of a client's error, by SQLSTATE, message and detail. */
import { describe, expect, it } from 'vitest';
import { explainError } from '../../src/ui/workload/bank-workload.ts';

describe('explainError', () => {
  it.each([
    [
      'gang creation gave up on a segment in recovery',
      [
        '58M01',
        'failed to acquire resources on one or more segments',
        false,
        'Segments are in reset/recovery mode.',
      ],
      /still recovering .* gp_gang_creation_retry_count/,
    ],
    [
      'a segment that cannot be reached',
      ['58M01', 'failed to acquire resources on one or more segments', false, 'could not connect to server'],
      /connection to an instance was lost/,
    ],
    [
      'a transaction whose segment failed over',
      [
        'XX000',
        'gang was lost due to cluster reconfiguration',
        false,
        'content 0 moved from dbid 2 to dbid 6',
      ],
      /failed over while the transaction was open/,
    ],
    ['a connection lost at COMMIT', ['08006', 'server closed the connection', true, ''], /cannot know/],
    [
      'an instance still starting',
      ['57P03', 'the database system is starting up', false, ''],
      /still starting/,
    ],
    [
      'a coordinator that crashed',
      ['57P02', 'the database system is in recovery mode', false, ''],
      /shut down or is still starting/,
    ],
    ['a serialization conflict', ['40001', 'could not serialize', false, ''], /conflict/],
  ] as const)('%s', (_what, [code, message, indeterminate, detail], said) => {
    expect(explainError(code, message, indeterminate, detail)).toMatch(said);
  });
});
