/**
 * The sim runtime: virtual time, seeded delivery, the same engine. Same seed and same calls give
 * the same trace, byte for byte; a different seed interleaves differently.
 */
import { describe, expect, it } from 'vitest';
import { createCluster, type SimCluster } from '../../src/engine/index.ts';
import { SimScheduler } from '../../src/engine/runtime/sim.ts';

async function scenario(seed: number): Promise<{ trace: string; rows: unknown[][]; virtualMs: number }> {
  const c = (await createCluster({ runtime: 'sim', seed, mirroring: 'group', standby: true })) as SimCluster;
  try {
    const start = c.sim.now();
    await c.query('create table t (a int, b text) distributed by (a)');
    const sessions = await Promise.all([1, 2, 3].map(() => c.connect()));
    await Promise.all(
      sessions.map((s, i) =>
        s.query(`insert into t select g, 's${i}' from generate_series(${i * 10 + 1}, ${i * 10 + 10}) g`),
      ),
    );
    await Promise.all(sessions.map((s) => s.close()));
    await c.faults.crash(2);
    await c.sim.advance(300_000);
    const rows = (await c.query('select count(*), sum(a) from t')).rows;
    return { trace: c.sim.trace.join('\n'), rows, virtualMs: c.sim.now() - start };
  } finally {
    await c.close();
  }
}

describe('sim runtime', () => {
  it('runs the same engine on virtual time: a primary crash is failed over by FTS without waiting in real time', async () => {
    const c = (await createCluster({ runtime: 'sim', seed: 7, mirroring: 'group' })) as SimCluster;
    try {
      await c.query('create table t (a int) distributed by (a)');
      await c.query('insert into t select generate_series(1, 100)');
      const real = Date.now();
      await c.faults.crash(2);
      // Five minutes of virtual time: FTS (probe every 60 s, 20 s timeout, 5 retries) notices
      // and promotes the mirror.
      await c.sim.advance(300_000);
      expect(Date.now() - real).toBeLessThan(20_000);
      const conf = await c.query(
        'select dbid, role, preferred_role, mode, status from gp_segment_configuration where content = 0 order by dbid',
      );
      expect(conf.rows).toEqual([
        [2, 'm', 'p', 'n', 'd'],
        [6, 'p', 'm', 'n', 'u'],
      ]);
      expect((await c.query('select count(*) from t')).rows).toEqual([[100]]);
      expect(
        c.sim
          .instances()
          .filter((i) => i.content === 0 && i.acting === 'primary')
          .map((i) => i.dbid),
      ).toEqual([6]);
    } finally {
      await c.close();
    }
  });

  it('same seed, same calls: the same trace byte for byte; another seed: another interleaving', async () => {
    const a = await scenario(42);
    const b = await scenario(42);
    const other = await scenario(43);
    expect(a.rows).toEqual([[30, 465]]);
    expect(b.trace.length).toBeGreaterThan(1000);
    expect(b.trace).toBe(a.trace);
    expect(b.virtualMs).toBe(a.virtualMs);
    expect(other.rows).toEqual(a.rows);
    expect(other.trace).not.toBe(a.trace);
  });
});

describe('SimScheduler.observe: a look that leaves the run as it was', () => {
  it('runs only what the look causes, at a standing time, without touching the seeded draws', async () => {
    const a = new SimScheduler({ seed: 3 });
    const b = new SimScheduler({ seed: 3 });
    const fired: string[] = [];
    // The run's own timer, due before the look's.
    b.clock.setTimer(5, () => fired.push('run'));
    const t0 = b.now();
    const seen = await b.observe(async () => {
      await b.clock.sleep(50);
      const ch = b.channel();
      const got = new Promise((r) => ch.port2.addEventListener('message', (e) => r(e.data)));
      ch.port1.postMessage('ping');
      return got;
    });
    expect(seen).toBe('ping');
    expect(b.now()).toBe(t0);
    expect(fired).toEqual([]);
    expect(b.trace).toEqual([]);
    // The seeded sequence goes on where it was: the same as a scheduler nobody looked at.
    a.clock.setTimer(5, () => undefined);
    expect(b.random()).toBe(a.random());
    await b.advance(10);
    expect(fired).toEqual(['run']);
  });

  it('a look that waits on the run itself fails, and driving during a look is refused', async () => {
    const s = new SimScheduler({ seed: 1 });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    s.clock.setTimer(1, release);
    await expect(s.observe(() => held, 'a read behind a lock')).rejects.toThrow(
      /a read behind a lock waits on the run itself/,
    );
    await expect(s.observe(async () => s.drive(Promise.resolve(1), 'a step'))).rejects.toThrow(
      /a step was driven while the simulation is observed/,
    );
    await s.advance(2);
  });
});

describe('a look at a failing cluster starts none of its work', () => {
  // Crash a primary, look (or not) with reads that fail on it, then let time pass: FTS fails it
  // over on its own schedule either way.
  async function afterCrash(look: boolean): Promise<{ trace: string[]; pid: unknown }> {
    const c = (await createCluster({ runtime: 'sim', seed: 11, mirroring: 'group' })) as SimCluster;
    try {
      await c.query('create table r (a int) distributed randomly');
      const holder = await c.connect();
      await holder.query('create table held (a int) distributed by (a)');
      await holder.query('begin');
      await holder.query('truncate held'); // ACCESS EXCLUSIVE to the end of the transaction
      await c.faults.crash(2);
      if (look) {
        const w = c.watcher;
        // A dispatch to the crashed content (58M01: FTS would be asked to probe) ...
        await expect(w.query('select count(*) from r')).rejects.toMatchObject({ code: '58M01' });
        // ... a lock the run holds (it cannot be waited for) ...
        await expect(w.query('select count(*) from held')).rejects.toMatchObject({ code: '55P03' });
        // ... and a session of its own.
        await w.query('select 1');
      }
      await c.sim.advance(120_000);
      await holder.query('rollback');
      const pid = (await c.query('select pg_backend_pid()')).rows[0]?.[0];
      return { trace: [...c.sim.trace], pid };
    } finally {
      await c.close();
    }
  }

  it('the same events, the same session ids, with or without the look', async () => {
    const alone = await afterCrash(false);
    const looked = await afterCrash(true);
    expect(looked.trace.join('\n')).toBe(alone.trace.join('\n'));
    expect(looked.pid).toBe(alone.pid);
    expect(alone.trace.some((l) => / event fts\.(failover|promote)/.test(l))).toBe(true);
  });

  it('a timer a look leaves behind can still be cancelled', async () => {
    const s = new SimScheduler({ seed: 2 });
    let fired = 0;
    const timer = await s.observe(async () => s.clock.setTimer(10, () => fired++));
    timer.cancel();
    await s.advance(20);
    expect(fired).toBe(0);
  });
});
