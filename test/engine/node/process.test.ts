/** What a running process shows and serves, by its role (node/process.ts), as a table. */
import { describe, expect, it } from 'vitest';
import {
  copySource,
  instanceOf,
  shownRole,
  standbyOf,
  type RunningProcess,
} from '../../../src/engine/node/process.ts';

const inst = (standby: boolean) => ({ standby }) as never;
const mirror = { promote: async () => undefined } as never;
const proc = (p: object) => p as RunningProcess;

describe('running process by role', () => {
  it.each([
    ['down', 0, undefined, 'down'],
    ['starting coordinator', -1, proc({ role: 'starting', inst: inst(false) }), 'coordinator'],
    ['starting standby', -1, proc({ role: 'starting', inst: inst(true) }), 'standby'],
    ['starting mirror', 0, proc({ role: 'starting', inst: inst(true) }), 'mirror'],
    ['mirror', 0, proc({ role: 'mirror', inst: inst(true) }), 'mirror'],
    [
      'mirror out of recovery, executor code loading',
      0,
      proc({ role: 'mirror', inst: inst(false) }),
      'primary',
    ],
    ['passive file-replication mirror', 0, proc({ role: 'filerep-mirror', inst: undefined }), 'mirror'],
    [
      'file-replication mirror whose promotion started its instance',
      0,
      proc({ role: 'filerep-mirror', inst: inst(false) }),
      'primary',
    ],
    ['file-replication primary', 0, proc({ role: 'filerep-primary', inst: inst(false) }), 'primary'],
    ['standby', -1, proc({ role: 'standby', inst: inst(true) }), 'standby'],
    ['coordinator', -1, proc({ role: 'coordinator', inst: inst(false) }), 'coordinator'],
  ] as const)('%s shows as %s', (_what, content, p, role) => {
    expect(shownRole(content, p)).toBe(role);
  });

  it('serves a copy only from an instance out of recovery', () => {
    expect(() => copySource(undefined, 6)).toThrow(/dbid 6 is not a running primary/);
    expect(() => copySource(proc({ role: 'mirror', inst: inst(true) }), 6)).toThrow(/not a running primary/);
    expect(() => copySource(proc({ role: 'filerep-mirror', inst: undefined }), 6)).toThrow(/not a running/);
    const i = inst(false);
    expect(copySource(proc({ role: 'mirror', inst: i }), 6)).toBe(i);
    expect(instanceOf(proc({ role: 'filerep-mirror', inst: i }))).toBe(i);
  });

  it('an activation asked again joins the one that ran; anything else is not a standby', () => {
    expect(standbyOf(proc({ role: 'standby', mirror }))).toBe(mirror);
    expect(standbyOf(proc({ role: 'coordinator', promotedFrom: mirror }))).toBe(mirror);
    expect(() => standbyOf(proc({ role: 'coordinator' }))).toThrow(
      expect.objectContaining({ code: '55000', message: 'this instance is not a standby' }),
    );
    expect(() => standbyOf(proc({ role: 'mirror', mirror }))).toThrow(/not a standby/);
  });
});
