/**
 * gpstate -x: the state of a gpexpand run, as Greenplum reads it: setup in progress while the
 * status file is in the coordinator's data directory, else the newest row of gpexpand.status,
 * with the tables left to redistribute and those being redistributed now.
 */
import type { UtilityHost, UtilityLog } from './host.ts';
import { ExpansionSchema, setupPending } from './gpexpand-state.ts';
import type { ClusterNode } from '../node/nodes.ts';
import { coordinatorOf } from '../node/process.ts';

const STATE_LINE = 'Cluster Expansion State = ';

export async function expansionReport(
  host: UtilityHost,
  log: UtilityLog,
  row: (cols: string[]) => string,
): Promise<void> {
  const qd = host.coordinator();
  if (await setupPending(host, coordinatorNode(host))) {
    log.info(`${STATE_LINE}Replicating Meta Data`);
    log.info('  Some database tools and functionality');
    log.info('  are disabled during this process');
    return;
  }
  const schema = new ExpansionSchema(qd);
  try {
    const state = await schema.status();
    if (state === undefined) {
      log.info(`${STATE_LINE}No Expansion Detected`);
      return;
    }
    if (state === 'EXPANSION COMPLETE') {
      log.info(`${STATE_LINE}Expansion Complete`);
      return;
    }
    const paused = state === 'SETUP DONE' || state === 'EXPANSION STOPPED';
    const active = state === 'EXPANSION STARTED';
    log.info(`${STATE_LINE}Data Distribution - ${paused ? 'Paused' : active ? 'Active' : 'Unknown'}`);
    if (!paused && !active) return;
    const details = await schema.details();
    const left = details.filter((d) => d.status !== 'COMPLETED' && d.status !== 'IN PROGRESS');
    const now = details.filter((d) => d.status === 'IN PROGRESS');
    log.info('---------------------------------------------------');
    if (left.length) {
      log.info('Number of tables to be redistributed');
      log.info(row(['Database', 'Count of Tables to redistribute']));
      log.info(row(['postgres', String(left.length)]));
      log.info('---------------------------------------------------');
    }
    if (now.length) {
      log.info(`Active redistributions = ${now.length}`);
      log.info(row(['Action', 'Database', 'Table']));
      for (const d of now) log.info(row(['Redistribute', 'postgres', d.fq_name]));
      log.info('---------------------------------------------------');
    }
  } finally {
    await schema.close();
  }
}

/**
 * Is an expansion under way: a setup unfinished, or the gpexpand schema there (tables may wait
 * for redistribution)? gpstate's summary then says "Cluster Expansion = In Progress".
 */
export async function expansionInProgress(host: UtilityHost): Promise<boolean> {
  if (await setupPending(host, coordinatorNode(host))) return true;
  // The schema is in the coordinator's catalog: a utility-mode look, which also works while the
  // coordinator runs alone (gpstart -m), as gpstate's own catalog reads do.
  const schema = new ExpansionSchema(host.coordinator(), { utility: true });
  try {
    return await schema.exists();
  } finally {
    await schema.close();
  }
}

function coordinatorNode(host: UtilityHost): ClusterNode | undefined {
  const qd = host.coordinator();
  return [...host.nodes.nodes.values()].find((n) => n.kind === 'local' && coordinatorOf(n.process) === qd);
}
