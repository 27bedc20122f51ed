/**
 * gpexpand's phase 1, setup, step by step as Greenplum's, each step written to the status file
 * before it starts and after it ends: the catalog locked against DDL; the new primaries made
 * (initdb, started); the new rows added to gp_segment_configuration in one transaction (the
 * point of no return); the expansion schema created and filled with every table to
 * redistribute; the new mirrors built from their primaries. Until the catalog changes, a
 * failure leaves the cluster as it was once `gpexpand -r` has removed the new instances.
 */
import type { SegmentConfig } from '../catalog/catalog.ts';
import { ExpansionError, inputDbids } from './gpexpand-input.ts';
import type { ExpansionSchema, StatusFile } from './gpexpand-state.ts';
import { batchLimits, runBatched, updateCatalog, type UtilityLog } from './host.ts';
import type { OptionValues } from './options.ts';
import type { StandbyHost } from './standby.ts';

/** Runs setup from where the status file says it got to; the exit code. */
export async function setup(
  host: StandbyHost,
  status: StatusFile,
  schema: ExpansionSchema,
  rows: readonly SegmentConfig[],
  o: OptionValues,
  files: Map<string, string>,
  log: UtilityLog,
  inputName?: string,
): Promise<number> {
  const qd = host.coordinator();
  if (qd.fileRep)
    throw new ExpansionError('gpexpand of a cluster in file replication (Greenplum 5) is not supported');
  if (!status.exists) {
    // A segment down now would fail the setup past its point of no return: refuse first.
    await qd.fts?.requestScan();
    await qd.refreshConfig();
    const down = qd.config.filter((r) => r.content >= 0 && r.status === 'd');
    if (down.length)
      throw new ExpansionError(
        `${down.length} segment(s) are down (dbid ${down.map((r) => r.dbid).join(', ')}): recover them with gprecoverseg before expanding the system`,
      );
  }
  try {
    if (!status.reached('UPDATE_CATALOG_DONE'))
      await buildAndRegister(host, status, rows, o, log, inputName!);
    // The new mirrors are built as soon as their rows exist (Greenplum builds them last), so
    // an instance stands behind every catalog row even if a later step fails.
    // On a retry: this expansion's mirrors (the input file names them) not running yet.
    const ours = new Set(inputDbids(files.get(status.infoOf('EXPANSION_PREPARE_STARTED') ?? '') ?? ''));
    const mirrors = rows.length
      ? rows.filter((r) => r.role === 'm')
      : qd.config.filter((r) => r.role === 'm' && ours.has(r.dbid) && !host.nodes.nodes.get(r.dbid)?.up);
    if (mirrors.length) {
      log.info('Starting new mirror segment synchronization');
      await runBatched(
        mirrors,
        (m) => m.hostname,
        batchLimits(o),
        async (m) => {
          log.debug(
            `Running Command: pg_basebackup for dbid ${m.dbid} on ${m.hostname} (gprecoverseg -a -F)`,
          );
          await host.addMirror(m);
        },
      );
      await qd.fts?.requestScan();
    }
    await createSchema(status, schema, log, o.S === true);
  } catch (e) {
    qd.unlockCatalog();
    log.error(`gpexpand failed: ${(e as Error).message} \n\nExiting...`);
    if (status.reached('UPDATE_CATALOG_DONE'))
      log.error(
        'gpexpand is past the point of rollback. Any remaining issues must be addressed outside of gpexpand.',
      );
    else if (status.exists) log.error("Please run 'gpexpand -r' to rollback to the original state.");
    log.info('Shutting down gpexpand...');
    return 3;
  }
  log.info('************************************************');
  log.info('Initialization of the system expansion complete.');
  log.info('To begin table expansion onto the new segments');
  log.info('rerun gpexpand');
  log.info('************************************************');
  log.info('Exiting...');
  return 0;
}

/** Steps up to UPDATE_CATALOG_DONE: new primaries built and started, then the catalog. */
async function buildAndRegister(
  host: StandbyHost,
  status: StatusFile,
  rows: readonly SegmentConfig[],
  o: OptionValues,
  log: UtilityLog,
  inputName: string,
): Promise<void> {
  const qd = host.coordinator();
  log.info('Syncing Greenplum Database extensions');
  await status.set('UNINITIALIZED');
  await status.set('EXPANSION_PREPARE_STARTED', inputName);
  log.info('Locking catalog');
  // Waits for transactions that have changed the catalog already to end.
  await qd.lockCatalogForExpansion(() => host.cancelled());
  log.info('Locked catalog');
  log.info('Creating segment template');
  await status.set('BUILD_SEGMENT_TEMPLATE_STARTED', 'gpexpand_template');
  await status.set('BUILD_SEGMENT_TEMPLATE_DONE');
  log.info('Distributing template tar file to new hosts');
  await status.set('BUILD_SEGMENTS_STARTED', 'gpexpand_schema.tar');
  log.info('Configuring new segments (primary)');
  const primaries = rows.filter((r) => r.role === 'p');
  for (const p of primaries)
    log.info(`   ${p.hostname}|${p.port}|${p.datadir}|dbid ${p.dbid}|content ${p.content}`);
  await runBatched(
    primaries,
    (p) => p.hostname,
    batchLimits(o),
    async (p) => {
      await host.reach('gpexpand_build_segments', p.dbid);
      await host.addPrimary(p);
    },
  );
  await status.set('BUILD_SEGMENTS_DONE', String(rows.length));
  log.info('Cleaning up temporary template files');
  log.info('Cleaning up databases in new segments.');
  await status.set('UPDATE_CATALOG_STARTED');
  const mirrored = rows.some((r) => r.role === 'm');
  await updateCatalog(host, async (tx) => {
    for (const r of rows) {
      // New mirrors are down until their base backups are taken (below).
      const row: SegmentConfig = { ...r, mode: 'n', status: r.role === 'm' ? 'd' : 'u' };
      await qd.catalog.insertSegment(tx, row);
      await qd.catalog.addHistory(
        tx,
        r.dbid,
        `gpexpand: segment config for expansion: inserted ${r.role === 'p' ? 'primary' : 'mirror'} segment configuration${mirrored && r.role === 'p' ? ' (mirror to follow)' : ''}`,
        host.clock.now(),
      );
    }
  });
  await status.set('UPDATE_CATALOG_DONE');
  log.info('Unlocking catalog');
  qd.unlockCatalog();
  log.info('Unlocked catalog');
}

/** Steps from SETUP_EXPANSION_SCHEMA to the end: the schema and the tables to redistribute. */
async function createSchema(
  status: StatusFile,
  schema: ExpansionSchema,
  log: UtilityLog,
  simple: boolean,
): Promise<void> {
  log.info('Creating expansion schema');
  // A retry starts the schema over: the file goes back to the catalog update's end.
  await status.rewindTo('UPDATE_CATALOG_DONE');
  await status.set('SETUP_EXPANSION_SCHEMA_STARTED');
  await schema.drop();
  await schema.create();
  await status.set('SETUP_EXPANSION_SCHEMA_DONE');
  await status.set('PREPARE_EXPANSION_SCHEMA_STARTED');
  await schema.setStatus('SETUP');
  log.info('Populating gpexpand.status_detail with data from database postgres');
  await schema.addPartialTables(simple);
  await schema.setStatus('SETUP DONE');
  await status.set('PREPARE_EXPANSION_SCHEMA_DONE');
  await status.set('EXPANSION_PREPARE_DONE');
  await status.remove();
}

/** gpexpand -r: undoes a setup that failed before the catalog changed. */
export async function rollback(
  host: StandbyHost,
  status: StatusFile,
  schema: ExpansionSchema,
  files: Map<string, string>,
  log: UtilityLog,
): Promise<number> {
  if ((await schema.status()) !== undefined) {
    log.error('A previous expansion is either in progress or has');
    log.error('completed.  Since the setup portion of the expansion');
    log.error('has finished successfully there is nothing to rollback.');
    return 1;
  }
  if (!status.exists) {
    log.error('There is no partially completed setup to rollback.');
    return 1;
  }
  if (status.reached('UPDATE_CATALOG_DONE')) {
    log.error('Catalog has been changed, the cluster can not rollback.');
    return 1;
  }
  const qd = host.coordinator();
  const inputName = status.infoOf('EXPANSION_PREPARE_STARTED');
  const text = inputName === undefined ? undefined : files.get(inputName);
  if (text === undefined) throw new ExpansionError(`Input file ${inputName ?? '(unknown)'} not found`);
  // The instances the file named when setup began are the ones to remove.
  const dbids = inputDbids(text);
  if (status.reached('UPDATE_CATALOG_STARTED')) {
    log.info('Rolling back coordinator update');
    await updateCatalog(host, async (tx) => {
      for (const dbid of dbids)
        if (qd.config.some((c) => c.dbid === dbid)) await qd.catalog.removeSegment(tx, dbid);
    });
  }
  log.info('Rolling back building of new segments');
  for (const dbid of dbids) {
    const node = host.nodes.nodes.get(dbid);
    if (node && !node.retired) await host.removeInstance(node);
  }
  log.info('Rolling back segment template build');
  qd.unlockCatalog();
  await status.remove();
  log.info('Rollback complete.');
  return 0;
}
