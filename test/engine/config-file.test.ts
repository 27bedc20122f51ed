import { describe, expect, it } from 'vitest';
import {
  changeConfigSetting,
  configLiteral,
  parseConfigText,
  readConfigText,
  removeConfigSetting,
  writeConfigText,
} from '../../src/engine/instance/config-file.ts';
import { MemoryDisk } from '../../src/engine/storage/memory-disk.ts';
import { Instance } from '../../src/engine/instance/instance.ts';
import { readNodeConfig } from '../../src/engine/node/node-config.ts';

describe('postgresql.conf', () => {
  it('reads as Postgres does: last active line wins, comments and quotes', () => {
    const text = [
      '# a comment',
      "application_name = 'it''s' # trailing",
      'statement_mem=125MB',
      '#statement_mem=1GB',
      "search_path = '\\\\x'",
      'statement_mem 200MB',
      'broken',
    ].join('\n');
    expect(parseConfigText(text)).toEqual({
      application_name: "it's",
      statement_mem: '200MB',
      search_path: '\\x',
    });
  });

  it('gpconfig -c comments earlier lines out and appends; -r comments out; strings quoted', () => {
    let t = 'statement_mem=125MB\nother=1\n';
    t = changeConfigSetting(t, 'statement_mem', '500MB');
    expect(t).toBe('#statement_mem=125MB\nother=1\nstatement_mem=500MB\n');
    t = changeConfigSetting(t, 'application_name', configLiteral("bo'dhi", true));
    expect(parseConfigText(t)).toEqual({ other: '1', statement_mem: '500MB', application_name: "bo'dhi" });
    t = removeConfigSetting(t, 'statement_mem');
    expect(parseConfigText(t)).toEqual({ other: '1', application_name: "bo'dhi" });
  });

  it('is stored across blocks on the disk, durable with a sync, and replaced whole', async () => {
    const disk = new MemoryDisk();
    expect(readConfigText(disk)).toBeUndefined();
    const long = Array.from({ length: 800 }, (_, i) => `# line ${i} of a long file`).join('\n') + '\nx.y=1\n';
    writeConfigText(disk, long);
    await disk.sync();
    expect(readConfigText(disk)).toBe(long);
    expect(disk.nblocks('postgresql.conf')).toBeGreaterThan(1);
    writeConfigText(disk, 'a=1\n');
    expect(readConfigText(disk)).toBe('a=1\n');
    expect(disk.nblocks('postgresql.conf')).toBe(1);
  });

  it("gpinitsystem's file rides the instance's next sync; lost before it, it is written again the same", async () => {
    const disk = new MemoryDisk();
    await Instance.initdb(disk, { systemIdentifier: 'test', time: 0 });
    const syncs = disk.stats.syncs;
    const initial = { statement_mem: '200MB', application_name: 'lab' };
    const first = await readNodeConfig(disk, initial);
    expect(first).toMatchObject({ statement_mem: '200MB', application_name: 'lab' });
    // No sync of its own: a crash now loses it, and the next start writes the same again.
    expect(disk.stats.syncs).toBe(syncs);
    disk.crash();
    expect(readConfigText(disk)).toBeUndefined();
    expect(await readNodeConfig(disk, initial)).toEqual(first);
    // Once the instance syncs (its startup writes pg_control), the file is durable.
    await disk.sync();
    disk.crash();
    expect(parseConfigText(readConfigText(disk)!)).toEqual(first);
  });
});
