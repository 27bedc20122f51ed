/**
 * The built static site for the site tests: `vite build` output served from a sub-path by a
 * plain static server (with the headers a test asks for, e.g. a strict Content-Security-Policy),
 * a system Chromium driven by Playwright, and the helpers every site test uses: wait for the
 * lab, crash an instance, run SQL through the console, run axe-core on the page.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { execFile } from 'node:child_process';
import { expect } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../scripts/chromium-path.mjs';

export const SUB = '/labs/mpp/';
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** A strict policy: no inline script or style, nothing from elsewhere. */
export const STRICT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; worker-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'";

/** Where screenshots go (looked at by a person; not compared). */
export const SHOTS = 'test/browser/ui/__screenshots__';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { env, maxBuffer: 1 << 24 }, (err, _out, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(),
    ),
  );
}

export interface Site {
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Builds the site into a temporary folder and serves it. `headers(path)` adds response headers
 * per path (the CSP test serves one page with a policy).
 */
export async function serveSite(
  options: { fixtures?: Record<string, string>; headers?: (path: string) => Record<string, string> } = {},
): Promise<Site> {
  const outDir = await mkdtemp(join(tmpdir(), 'mpp-site-'));
  // As `npm run build` does it: a separate process, so the test runner's NODE_ENV=test does not
  // leak into the bundle (dev-mode Lit, no service worker).
  const { NODE_ENV: _ignored, ...env } = process.env;
  await run(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    env,
  );
  const index = await readFile(join(outDir, 'index.html'), 'utf8');
  const script = /<script type="module"[^>]*src="([^"]+)"/.exec(index)?.[1];
  if (!script) throw new Error('no module script in the built index.html');
  for (const [name, file] of Object.entries(options.fixtures ?? {})) {
    const text = await readFile(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');
    await writeFile(join(outDir, name), text.replace('__LAB_SCRIPT__', script));
  }
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.pathname.startsWith(SUB)) {
      res.writeHead(404).end();
      return;
    }
    let rel = normalize(decodeURIComponent(url.pathname.slice(SUB.length)));
    if (rel === '.' || rel === '' || rel.endsWith('/')) rel = join(rel, 'index.html');
    if (rel.startsWith('..')) {
      res.writeHead(403).end();
      return;
    }
    readFile(join(outDir, rel)).then(
      (body) =>
        res
          .writeHead(200, {
            'content-type': TYPES[extname(rel)] ?? 'application/octet-stream',
            ...(options.headers?.(`${url.pathname}${url.search}`) ?? {}),
          })
          .end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}${SUB}`;
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: chromiumArgs,
    headless: true,
  });
  return {
    base,
    browser,
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

/** A page that records uncaught errors; `errors` must stay empty. */
export async function openPage(
  site: Site,
  width: number,
  height = 900,
  path = '',
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await site.browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${site.base}${path}`);
  return { context, page, errors };
}

/** Waits until the lab's cluster is up (its store says ready). */
export async function labReady(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    () =>
      (document.querySelector('mpp-ha-lab') as unknown as { store?: { state?: string } })?.store?.state ===
      'ready',
    undefined,
    { timeout },
  );
}

/** Waits until the bank workload's table is loaded (so lesson checks can pass). */
export async function workloadReady(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      (document.querySelector('mpp-ha-lab') as unknown as { workload?: { ready?: boolean } })?.workload
        ?.ready,
    undefined,
    { timeout: 60_000 },
  );
}

/** Crashes an instance of the lab's cluster through the API, as the lab's Crash button does. */
export async function crashInPage(page: Page, dbid: number | string): Promise<void> {
  await page.evaluate(
    (d) =>
      (
        document.querySelector('mpp-ha-lab') as unknown as {
          store: { cluster: { faults: { crash(d: number | string): Promise<void> } } };
        }
      ).store.cluster.faults.crash(d),
    dbid,
  );
}

/** The catalog as the lab holds it: `dbid role preferred mode status` per row. */
export function catalog(page: Page): Promise<string> {
  return page.evaluate(() => {
    const lab = document.querySelector('mpp-ha-lab') as unknown as {
      store: {
        config: { dbid: number; role: string; preferredRole: string; mode: string; status: string }[];
      };
    };
    return lab.store.config.map((r) => `${r.dbid}${r.role}${r.preferredRole}${r.mode}${r.status}`).join(' ');
  });
}

/** Polls the lab's catalog until it matches. */
export async function untilCatalog(
  page: Page,
  pattern: RegExp,
  what: string,
  timeout = 60_000,
): Promise<void> {
  await expect.poll(() => catalog(page), { timeout, message: what }).toMatch(pattern);
}

/** Runs SQL through the lab's console and returns the text of its last outcome. */
export async function consoleRun(page: Page, sql: string): Promise<string> {
  const consoleEl = page.locator('mpp-ha-lab mpp-console');
  await consoleEl.locator('textarea').fill(sql);
  const blocks = consoleEl.locator('.run-block');
  const before = await blocks.count();
  await consoleEl.locator('button.run').click();
  const statements = sql.split(';').filter((x) => x.trim()).length;
  await page.waitForFunction(
    ([n, k]) => {
      const lab = document.querySelector('mpp-ha-lab');
      const c = lab?.shadowRoot?.querySelector('mpp-console');
      const list = c?.shadowRoot?.querySelectorAll('.run-block');
      return !!list && list.length > n && list[0]!.querySelectorAll('.outcome').length === k;
    },
    [before, statements] as const,
    { timeout: 30_000 },
  );
  return (await blocks.first().locator('.outcome').last().textContent()) ?? '';
}

/** Types a command line into the controls and waits for its exit code; returns its output. */
export async function commandLine(page: Page, line: string): Promise<string> {
  const controls = page.locator('mpp-ha-lab mpp-controls');
  await controls.locator('input[name="cmd"]').fill(line);
  await controls.locator('form button[type="submit"]').click();
  const out = controls.locator('[part="output"] pre');
  const cmd = controls.locator('[part="output"] code.cmd');
  await expect
    .poll(async () => `${(await cmd.textContent()) ?? ''}\n${(await out.textContent()) ?? ''}`, {
      timeout: 90_000,
    })
    .toMatch(new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n[\\s\\S]*\\[exit \\d+\\]`));
  return (await out.textContent()) ?? '';
}

/** Presses the confirmation of the lab's "this replaces the cluster" dialog. */
export async function confirmReplace(page: Page): Promise<string> {
  const dialog = page.locator('mpp-ha-lab dialog.confirm[open]');
  await dialog.waitFor({ timeout: 10_000 });
  const text = (await dialog.textContent()) ?? '';
  await dialog.locator('button[data-confirm="yes"]').click();
  return text;
}

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

/** axe-core's violations on the page as it is now (shadow roots included), as readable lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<unknown> } }).axe;
    const r = (await axe.run(document, {
      resultTypes: ['violations'],
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    })) as {
      violations: { id: string; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[];
    };
    return r.violations.map((v) =>
      v.nodes.map((n) => `${v.id}: ${v.help} at ${JSON.stringify(n.target)} — ${n.failureSummary ?? ''}`),
    );
  });
  return result.flat();
}
