/**
 * The instance details' integrity rows: checksums on and nothing damaged, or the damaged block
 * named with what to do; a replica check's result.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'lit';
import { integrityRows } from '../../../src/ui/instance-details/integrity-rows.ts';

let table: HTMLTableElement | undefined;
afterEach(() => {
  table?.remove();
  table = undefined;
});

function rows(status: Parameters<typeof integrityRows>[0]): string {
  table = document.createElement('table');
  const body = document.createElement('tbody');
  table.append(body);
  document.body.append(table);
  render(integrityRows(status), body);
  return (table.textContent ?? '').replace(/\s+/g, ' ').trim();
}

describe('integrity rows', () => {
  it('a healthy instance: checksums on, no damaged block read', () => {
    expect(rows({ dataChecksums: true, checksumFailures: 0 })).toBe(
      'data checksums on · no damaged blocks read',
    );
  });

  it('a damaged block: named, with the way out, flagged as an error; a replica check that found it', () => {
    const text = rows({
      dataChecksums: true,
      checksumFailures: 2,
      lastChecksumFailure: { file: 'base/16384', block: 0, time: Date.now() },
      replicaCheck: { time: Date.now(), mirror: 6, blocks: 12, differing: ['base/16384 block 0'] },
    });
    expect(text).toMatch(
      /2 damaged blocks read \(last: block 0 of base\/16384\): fail over to the in-sync mirror, then rebuild with gprecoverseg -F/,
    );
    expect(text).toMatch(
      /gp_replica_check .*against mirror dbid 6: 12 blocks compared, 1 differ \(base\/16384 block 0\)/,
    );
    expect(table!.querySelectorAll('.error')).toHaveLength(2);
  });
});
