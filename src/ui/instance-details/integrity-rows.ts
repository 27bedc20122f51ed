/**
 * The instance details' integrity rows: data checksums as pg_control records them, the damaged
 * blocks the instance found (XX001) and its last gp_replica_check against its mirror. A damaged
 * block on a primary whose mirror is in sync is the cue to fail over and rebuild the instance
 * with gprecoverseg -F, as on a real cluster.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { IntegrityStatus } from '../../workers/index.ts';

export function integrityRows(i: IntegrityStatus | undefined): TemplateResult | typeof nothing {
  if (!i) return nothing;
  const last = i.lastChecksumFailure;
  const check = i.replicaCheck;
  return html`<tr>
      <th>data checksums</th>
      <td>
        ${i.dataChecksums ? 'on' : 'off'} ·
        ${
          i.checksumFailures
            ? html`<span class="error"
                >${i.checksumFailures} damaged block${i.checksumFailures === 1 ? '' : 's'}
                read${last ? html` (last: block ${last.block} of ${last.file})` : nothing}: fail over to the
                in-sync mirror, then rebuild with gprecoverseg -F</span
              >`
            : html`<span class="ok">no damaged blocks read</span>`
        }
      </td>
    </tr>
    ${
      check
        ? html`<tr>
            <th>gp_replica_check</th>
            <td>
              ${new Date(check.time).toLocaleTimeString()}, against mirror dbid ${check.mirror}:
              ${check.blocks} blocks compared,
              ${
                check.differing.length
                  ? html`<span class="error"
                      >${check.differing.length} differ
                      (${check.differing.slice(0, 3).join('; ')}${
                        check.differing.length > 3 ? '…' : ''
                      })</span
                    >`
                  : html`<span class="ok">all equal</span>`
              }
            </td>
          </tr>`
        : nothing
    }`;
}
