/**
 * gpexpand's phase 2: each table in gpexpand.status_detail still NOT STARTED, lowest rank
 * first, is expanded with ALTER TABLE ... EXPAND TABLE (an ACCESS EXCLUSIVE lock on it for the
 * length of its own transaction; the rows it moves are WAL-logged on the new segments and
 * streamed to their mirrors). `-n` tables at once, each on its own session. At the end time
 * (`-d` / `-e`) running expansions are cancelled (they roll back) and the run stops; the next
 * `gpexpand` resumes with the tables left.
 */
import type { Coordinator } from '../server/coordinator.ts';
import { Session } from '../server/session.ts';
import { sqlError } from '../errors.ts';
import type { Timer } from '../runtime/clock.ts';
import type { ExpansionSchema } from './gpexpand-state.ts';
import type { UtilityLog } from './host.ts';
import type { OptionValues } from './options.ts';
import type { StandbyHost } from './standby.ts';

/**
 * The end time -d or -e gives, in the cluster's clock (ms), or undefined. A duration is in
 * cluster time, so at the lab's time scale an hour passes in a fraction of one.
 */
export function parseEnd(
  o: OptionValues,
  now: number,
  log: UtilityLog,
  msPerSecond = 1000,
): number | undefined {
  let byDuration: number | undefined;
  let byEnd: number | undefined;
  const d = o.d as string | undefined;
  if (d !== undefined) {
    const m = /^(\d+)(?::(\d+))?(?::(\d+))?$/.exec(d);
    if (!m) throw new Error(`option -d: invalid duration value: '${d}' (use hh[:mm[:ss]])`);
    const seconds = Number(m[1]) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
    byDuration = now + seconds * msPerSecond;
  }
  const e = o.e as string | undefined;
  if (e !== undefined) {
    const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(e);
    if (!m) throw new Error(`option -e: invalid end time value: '${e}' (use 'YYYY-MM-DD hh:mm:ss')`);
    const [, y, mo, da, h, mi, s] = m;
    byEnd = Date.UTC(Number(y), Number(mo) - 1, Number(da), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
    if (byEnd <= now) throw new Error('End time occurs in the past');
  }
  if (byDuration !== undefined && byEnd !== undefined) {
    log.warn('Both end and duration options were given.');
    if (byDuration < byEnd) log.warn('The duration argument will be used for the expansion end time.');
    else log.warn('The end argument will be used for the expansion end time.');
    return Math.min(byDuration, byEnd);
  }
  return byDuration ?? byEnd;
}

/** Runs phase 2 until every table is expanded, the end time, or Ctrl-C; the exit code. */
export async function redistribute(
  host: StandbyHost,
  schema: ExpansionSchema,
  o: OptionValues,
  end: number | undefined,
  log: UtilityLog,
): Promise<number> {
  const qd = host.coordinator();
  const simple = o.S === true;
  await schema.addPartialTables(simple);
  await schema.setStatus('EXPANSION STARTED');
  await schema.query("UPDATE gpexpand.status_detail SET status = 'NOT STARTED' WHERE status = 'IN PROGRESS'");
  const queue = await schema.details("WHERE status = 'NOT STARTED'");
  const running = new Set<Session>();
  let stopped: 'time' | 'user' | undefined;
  let failed = 0;
  const stopAll = (why: 'time' | 'user') => {
    stopped ??= why;
    for (const s of running)
      s.requestCancel(sqlError('query_canceled', 'canceling statement due to user request'));
  };
  const timer: Timer | undefined =
    end === undefined
      ? undefined
      : host.clock.setTimer(Math.max(0, end - host.clock.now()), () => stopAll('time'));
  // Ctrl-C reaches a run between its checks: look for it while tables are being expanded.
  let watch: Timer | undefined;
  const look = () => {
    if (host.cancelled()) stopAll('user');
    else watch = host.clock.setTimer(50, look);
  };
  look();
  const worker = async () => {
    const s = new Session(qd);
    try {
      for (let d = queue.shift(); d && !stopped; d = queue.shift()) {
        try {
          if (
            await expandOne(qd, s, schema, d, simple, o.a === true, running, log, () => stopped !== undefined)
          )
            continue;
        } catch (e) {
          // Its size or its status could not be read or written (a segment unreachable).
          log.error(`Table postgres.${d.fq_name} failed to expand: ${(e as Error).message}`);
        }
        failed++;
      }
    } finally {
      await s.close();
    }
  };
  try {
    // Every worker ends before the run does: none is left expanding behind it.
    await Promise.allSettled(Array.from({ length: (o.n as number | undefined) ?? 1 }, worker));
  } finally {
    timer?.cancel();
    watch?.cancel();
  }
  if (stopped === 'user') {
    log.info('Shutting down gpexpand...');
    await schema.setStatus('EXPANSION STOPPED');
    log.error('User Interrupted');
    return 1;
  }
  if (failed) {
    log.warn('**************************************************');
    log.warn('One or more tables failed to expand successfully.');
    log.warn('Please check the log file, correct the problem and');
    log.warn('run gpexpand again to finish the expansion process');
    log.warn('**************************************************');
  }
  if (stopped === 'time') {
    log.info('End time reached.  Stopping expansion.');
    await schema.setStatus('EXPANSION STOPPED');
    log.info('You can resume expansion by running gpexpand again');
  } else if (failed) {
    await schema.setStatus('EXPANSION STOPPED');
  } else {
    await schema.setStatus('EXPANSION COMPLETE');
    log.info('EXPANSION COMPLETED SUCCESSFULLY');
  }
  log.info('Exiting...');
  return 0;
}

/** One table: marked, expanded in its own transaction, marked again. False if it failed. */
async function expandOne(
  qd: Coordinator,
  s: Session,
  schema: ExpansionSchema,
  d: { fq_name: string; table_oid: number },
  simple: boolean,
  analyze: boolean,
  running: Set<Session>,
  log: UtilityLog,
  stoppedByRun: () => boolean,
): Promise<boolean> {
  const tx = qd.inst.xact.begin();
  const table = await qd.catalog
    .listTables(tx)
    .then((all) => all.find((t) => t.oid === d.table_oid))
    .finally(() => qd.inst.xact.abort(tx));
  const where = `WHERE table_oid = ${d.table_oid}`;
  if (!table) {
    log.info(`${d.fq_name} no longer exists in database postgres`);
    await schema.query(
      `UPDATE gpexpand.status_detail SET status = 'NO LONGER EXISTS', expansion_finished = clock_timestamp() ${where}`,
    );
    return true;
  }
  if (!simple) {
    let bytes = 0;
    for (const c of qd.tableContents(table))
      bytes += await qd.callContent(c, 'relationSize', [table.relfilenode]);
    await schema.query(
      `UPDATE gpexpand.status_detail SET status = 'IN PROGRESS', expansion_started = clock_timestamp(), source_bytes = ${bytes} ${where}`,
    );
  }
  log.info(`Expanding postgres.${d.fq_name}`);
  running.add(s);
  try {
    await s.query(`ALTER TABLE "${table.name}" EXPAND TABLE`);
    if (analyze) {
      log.info(`Analyzing ${d.fq_name}`);
      await s.query(`ANALYZE "${table.name}"`);
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === '57014') log.info(`ALTER TABLE of postgres.${d.fq_name} canceled`);
    else log.error(`Table postgres.${d.fq_name} failed to expand: ${(e as Error).message}`);
    if (!simple) {
      log.info(`Resetting status_detail for postgres.${d.fq_name}`);
      await schema.query(
        `UPDATE gpexpand.status_detail SET status = 'NOT STARTED', expansion_started = NULL ${where}`,
      );
    }
    // Cancelled by this run's end time: not a failure. Cancelled by anyone else: it failed.
    return code === '57014' && stoppedByRun();
  } finally {
    running.delete(s);
  }
  log.info(`Finished expanding postgres.${d.fq_name}`);
  await schema.query(
    `UPDATE gpexpand.status_detail SET status = 'COMPLETED', expansion_started = coalesce(expansion_started, clock_timestamp()), expansion_finished = clock_timestamp() ${where}`,
  );
  return true;
}
