/**
 * The custom-elements manifest (custom-elements.json, named in package.json) describes the
 * lab's elements for editors and documentation tools: it must be current and list what an
 * author of an embedding page uses.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Declaration {
  tagName?: string;
  attributes?: { name: string }[];
  cssParts?: { name: string }[];
  cssProperties?: { name: string }[];
}
interface Manifest {
  modules: { declarations?: Declaration[] }[];
}

const root = join(import.meta.dirname, '../..');

describe('custom-elements.json', () => {
  it('is current (npm run manifest) and lists <mpp-ha-lab> with its attributes, parts and properties', () => {
    const out = mkdtempSync(join(tmpdir(), 'cem-'));
    try {
      execFileSync(
        process.execPath,
        [
          join(root, 'node_modules/@custom-elements-manifest/analyzer/cem.js'),
          'analyze',
          '--outdir',
          // The analyzer resolves it against the working directory.
          relative(root, out),
          '--quiet',
        ],
        { cwd: root, stdio: 'pipe' },
      );
      const fresh = readFileSync(join(out, 'custom-elements.json'), 'utf8');
      const committed = readFileSync(join(root, 'custom-elements.json'), 'utf8');
      // Module order follows file discovery, which may vary: compare by path.
      const byPath = (text: string) =>
        Object.fromEntries(
          (JSON.parse(text) as { modules: { path: string }[] }).modules.map((x) => [x.path, x]),
        );
      expect(byPath(committed), 'run npm run manifest and commit custom-elements.json').toEqual(
        byPath(fresh),
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    const m = JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8')) as Manifest;
    const lab = m.modules.flatMap((x) => x.declarations ?? []).find((d) => d.tagName === 'mpp-ha-lab');
    expect(lab?.attributes?.map((a) => a.name)).toEqual(
      expect.arrayContaining([
        'hosts',
        'segments-per-host',
        'mirroring',
        'standby',
        'speed',
        'runtime',
        'cluster-name',
        'lesson',
        'view',
      ]),
    );
    expect(lab?.cssParts?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['header', 'topology', 'console', 'charts', 'saved']),
    );
    expect(JSON.stringify(lab?.cssProperties)).toContain('--mpp-bg');
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).customElements).toBe(
      'custom-elements.json',
    );
  });
});
