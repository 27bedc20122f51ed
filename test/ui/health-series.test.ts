/** The charts' series: replication lag from gp_stat_replication rows, fault periods by time. */
import { describe, expect, it } from 'vitest';
import { HealthSeries, lsnBytes } from '../../src/ui/state/health-series.ts';

describe('HealthSeries', () => {
  it('reads LSNs as psql prints them and keeps the worst pair lag per refresh', () => {
    expect(lsnBytes('0/16B3748')).toBe(0x16b3748);
    expect(lsnBytes('1/0')).toBe(2 ** 32);
    expect(lsnBytes(null)).toBe(0);
    const h = new HealthSeries();
    h.addReplication(
      [
        { gp_segment_id: 0, state: 'streaming', sent_lsn: '0/3000', replay_lsn: '0/1000' },
        { gp_segment_id: 1, state: 'catchup', sent_lsn: '0/5000', replay_lsn: '0/4000' },
      ],
      10,
    );
    expect(h.replication.get(0)).toEqual({
      state: 'streaming',
      lagBytes: 0x2000,
      sentLsn: '0/3000',
      replayLsn: '0/1000',
    });
    expect(h.lagSeries).toEqual([{ t: 10, maxLagBytes: 0x2000 }]);
  });

  it('shades exactly the times a fault was in force', () => {
    const h = new HealthSeries();
    h.noteFault(false, 1);
    h.noteFault(true, 100);
    h.noteFault(true, 150);
    h.noteFault(false, 200);
    expect(h.faultTimeline).toEqual([
      { t: 100, active: true },
      { t: 200, active: false },
    ]);
    expect([50, 100, 199, 200, 300].map((t) => h.faultAt(t))).toEqual([false, true, true, false, false]);
  });
});
