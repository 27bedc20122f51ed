/**
 * Greenplum 5 file replication beside WAL replication: the same failures on a cluster whose
 * mirrors are kept block by block, with change tracking and resynchronization.
 */
import { check, healthy, rowsAre } from './checks.ts';
import type { Lesson, StepAction } from './lesson-types.ts';

const FILEREP_CLUSTER: StepAction = {
  kind: 'rebuild',
  shape: { hosts: 'sdw1,sdw2', mirroring: 'group', replication: 'filerep' },
  label: 'Build: group mirroring, file replication',
};

/** What dbid 2 (content 0's primary) reports of its file replication, from inside its process. */
async function primaryFileRep(ctx: Parameters<Parameters<typeof check>[1]>[0]) {
  const c = ctx.store?.cluster;
  if (!c || ctx.store?.state !== 'ready') throw new Error('the cluster is not running');
  const s = await c.instanceStatus(2);
  if (!s.fileRep) throw new Error('dbid 2 does not replicate files (a WAL-replication cluster)');
  return s.fileRep;
}

export const FILE_REPLICATION: Lesson = {
  id: 'file-replication',
  title: 'File replication (Greenplum 5) vs WAL replication',
  summary:
    'Before Greenplum 6, mirrors were kept by replicating file blocks: change tracking while a mirror is down, resynchronization to bring it back.',
  needs: 'mirroring',
  steps: [
    {
      title: 'A cluster that mirrors files',
      text: [
        "Build the same 2-host group-mirrored cluster with `replication: 'filerep'`. Each primary's disk writes go to its mirror block by block; the mirror is a passive process that applies them and runs no queries.",
        "gp_segment_configuration has Greenplum 5's `replication_port` column, and its `mode` takes the values s (synchronized), c (change tracking) and r (resynchronizing) instead of s and n.",
      ],
      actions: [
        FILEREP_CLUSTER,
        {
          kind: 'sql',
          sql: 'select * from gp_segment_configuration order by dbid',
          label: 'Read the catalog',
        },
      ],
      check: healthy(),
    },
    {
      title: 'Blocks in the cache are not on the mirror yet',
      text: [
        "A transfer changes heap pages in the primary's buffer pool; they reach its disk, and so the mirror, only when a checkpoint or an eviction writes them. Meanwhile the mirror's image of those blocks is older.",
        'What keeps the pair consistent is the transaction log: it is replicated too, and every sync (each commit\'s) waits for the mirror\'s acknowledgement. Select dbid 2 in the topology: "cache vs disk" counts its dirty pages. Take a checkpoint and they are written, and replicated.',
      ],
      actions: [{ kind: 'sql', sql: 'checkpoint', label: 'Checkpoint' }],
      check: healthy(),
      checkOnOpen: true,
    },
    {
      title: 'The mirror fails: Change Tracking',
      text: [
        "Crash content 0's mirror (dbid 6). The primary's next write cannot reach it: its commits wait until FTS probes it, marks the mirror down (d, s) and tells the primary to track changes (mode c).",
        'With WAL replication the same failure leaves the primary (u, n) and its replication slot keeps the WAL the mirror will need; here the primary records which blocks change instead.',
      ],
      actions: [{ kind: 'crash', target: 6, label: 'Crash dbid 6', danger: true }],
      check: rowsAre('dbid 2 in change tracking (p, u, c); dbid 6 down (m, d, s)', {
        2: { role: 'p', status: 'u', mode: 'c' },
        6: { role: 'm', status: 'd', mode: 's' },
      }),
    },
    {
      title: 'The change tracking log grows',
      text: [
        'The workload goes on. Each block the primary of content 0 changes is written to its change tracking log, on its own disk (so it survives a restart). Select dbid 2 to watch the log grow.',
      ],
      actions: [
        { kind: 'sql', sql: 'checkpoint', label: 'Checkpoint' },
        { kind: 'utility', command: 'gpstate -e', label: 'gpstate -e' },
      ],
      check: check('dbid 2 has blocks in its change tracking log', async (ctx) => {
        const f = await primaryFileRep(ctx);
        return {
          ok: f.changeTrackingBlocks > 0,
          seen: `${f.changeTrackingBlocks} blocks tracked, mode ${f.mode}`,
        };
      }),
    },
    {
      title: 'gprecoverseg: resynchronization',
      text: [
        'gprecoverseg restarts the mirror and the primary resynchronizes it: it sends exactly the blocks its log names (plus any that were in flight when the pair failed), while new changes are sent as they happen. The pair is (u, r) meanwhile (`gpstate -s` shows the progress), then (u, s).',
        'With WAL replication, gprecoverseg would have the mirror stream the WAL it missed from the slot (or pg_rewind a former primary). `gprecoverseg -F` here would send every file.',
      ],
      actions: [
        { kind: 'utility', command: 'gprecoverseg -a', label: 'gprecoverseg -a' },
        { kind: 'utility', command: 'gpstate -s', label: 'gpstate -s' },
      ],
      check: rowsAre('content 0 synchronized again: dbid 2 (p, u, s), dbid 6 (m, u, s)', {
        2: { role: 'p', status: 'u', mode: 's' },
        6: { role: 'm', status: 'u', mode: 's' },
      }),
    },
    {
      title: 'The primary fails: the mirror takes over in Change Tracking',
      text: [
        'Crash dbid 2. FTS promotes dbid 6: it starts an instance on its files, whose crash recovery applies the replicated log, so every committed transfer is there. It becomes (p, u, c): a primary tracking changes for its absent partner, which FTS marks (m, d, s).',
        'With WAL replication the promoted mirror starts a new timeline and the pair is (p, u, n) / (m, d, n).',
      ],
      actions: [{ kind: 'crash', target: 2, label: 'Crash dbid 2', danger: true }],
      check: rowsAre('dbid 6 acting primary in change tracking (p, u, c); dbid 2 (m, d, s)', {
        6: { role: 'p', status: 'u', mode: 'c' },
        2: { role: 'm', status: 'd', mode: 's' },
      }),
    },
    {
      title: 'Recover the old primary as the mirror',
      text: [
        '`gprecoverseg -a` restarts dbid 2 as a passive mirror; dbid 6 sends it the blocks its change tracking log names, plus those that were in flight when dbid 2 failed (blocks dbid 2 may have written that dbid 6 never got). No pg_rewind, no timeline: the files are made equal.',
      ],
      actions: [{ kind: 'utility', command: 'gprecoverseg -a', label: 'gprecoverseg -a' }],
      check: rowsAre('content 0 synchronized with the roles switched: dbid 6 (p, u, s), dbid 2 (m, u, s)', {
        6: { role: 'p', status: 'u', mode: 's' },
        2: { role: 'm', status: 'u', mode: 's' },
      }),
    },
    {
      title: 'Rebalance',
      text: [
        'Once the pair is synchronized (not before: a pair still resynchronizing is not rebalanced), `gprecoverseg -ar` stops dbid 6, FTS promotes dbid 2 again, and dbid 6 is resynchronized as its mirror.',
      ],
      actions: [{ kind: 'utility', command: 'gprecoverseg -ar', label: 'gprecoverseg -ar' }],
      check: healthy(),
    },
  ],
};
