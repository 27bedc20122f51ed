/**
 * gp_replica_check: compares every synchronized primary with its mirror, block by block, and
 * lists the relation blocks that differ (replication/replica-check.ts does the comparing, on the
 * primary). Exit 0 when every pair compared equal, 1 when a pair differs or could not be
 * compared, 2 for a usage error. Greenplum advises running it on a quiet cluster.
 *
 *   gp_replica_check [-c content[,content...]] [-v]
 */
import type { ReplicaCheckResult } from '../replication/replica-check.ts';
import type { UtilityResult } from '../node/api.ts';
import type { UtilityLog } from './host.ts';
import { type UtilityHost } from './host.ts';

const PROG = 'gp_replica_check';
const USAGE = `Usage: ${PROG} [-c content[,content...]] [-v]`;

export async function gpReplicaCheck(
  host: UtilityHost,
  argv: string[],
  log: UtilityLog,
): Promise<UtilityResult> {
  let contents: number[] | undefined;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-v' || a === '--verbose') verbose = true;
    else if (a === '-c' || a === '--content') {
      const list = argv[++i];
      const parsed = list?.split(',').map((x) => (/^-?\d+$/.test(x) ? Number(x) : NaN));
      if (!parsed || parsed.some((x) => !Number.isInteger(x) || x < 0))
        return usage(`${a} needs a comma-separated list of segment content ids, not "${list ?? ''}"`);
      contents = parsed;
    } else if (a === '-h' || a === '--help') return { exitCode: 0, stdout: `${USAGE}\n`, stderr: '' };
    else return usage(`unrecognized option "${a}"`);
  }
  const qd = host.coordinator();
  await qd.refreshConfig();
  if (qd.fileRep) {
    log.error('gp_replica_check compares WAL-replicated mirrors; this cluster mirrors by file replication');
    return log.done(1);
  }
  const all = [...new Set(qd.config.filter((c) => c.content >= 0).map((c) => c.content))].sort(
    (a, b) => a - b,
  );
  const unknown = (contents ?? []).filter((c) => !all.includes(c));
  if (unknown.length) return usage(`no segment with content ${unknown.join(', ')}`);
  const coordinator = qd.config.find((c) => c.content === -1 && c.role === 'p')!;
  let failed = 0;
  log.info(`Starting gp_replica_check on ${(contents ?? all).length} segment pair(s)`);
  for (const content of contents ?? all) {
    const p = qd.config.find((c) => c.content === content && c.role === 'p');
    const m = qd.config.find((c) => c.content === content && c.role === 'm');
    const pair = `content ${content} (primary dbid ${p?.dbid} ${p?.hostname}:${p?.port}, mirror dbid ${m?.dbid ?? '-'}${m ? ` ${m.hostname}:${m.port}` : ''})`;
    if (!p || !m || p.status !== 'u' || m.status !== 'u' || m.mode !== 's') {
      failed++;
      log.warn(
        `Skipped ${pair}: ${!m ? 'the segment has no mirror' : 'the pair is not up and synchronized'}`,
      );
      continue;
    }
    let r: ReplicaCheckResult;
    try {
      r = await host.nodes.call(coordinator.dbid, p.dbid, 'replicaCheck', [], 600_000);
    } catch (e) {
      failed++;
      log.error(`Could not compare ${pair}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    if (!r.differing.length) {
      log.info(`Replica check succeeded for ${pair}: ${r.blocks} block(s) compared`);
      continue;
    }
    failed++;
    log.error(`Replica check failed for ${pair}: ${r.differing.length} of ${r.blocks} block(s) differ`);
    for (const d of verbose ? r.differing : r.differing.slice(0, 20)) log.raw(`    ${d}`);
    if (!verbose && r.differing.length > 20)
      log.raw(`    ... and ${r.differing.length - 20} more (-v lists all)`);
  }
  log.info(
    failed ? `gp_replica_check found ${failed} pair(s) not verified equal` : 'All segment pairs are equal',
  );
  return log.done(failed ? 1 : 0);

  function usage(msg: string): UtilityResult {
    return { exitCode: 2, stdout: '', stderr: `${PROG}: error: ${msg}\n${USAGE}\n` };
  }
}
