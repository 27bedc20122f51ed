// The static checks `npm test` runs before Vitest: the four TypeScript projects (each with its
// own lib, which is how the layers' rules are kept), ESLint and Prettier. They are independent
// and each is mostly one thread, so they run side by side, as many at a time as there are
// cores: on a 2-core machine, 76 s instead of 94 s one after another. Each one's output is
// printed when it ends; the exit code is 1 when any failed.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

// Longest first, so the lanes end together.
const checks = [
  ['format:check', 'prettier', ['--check', '.']],
  ['lint', 'eslint', ['--max-warnings', '0', '.']],
  ['typecheck test', 'tsc', ['-p', 'test']],
  ['typecheck src/ui', 'tsc', ['-p', 'src/ui']],
  ['typecheck src/workers', 'tsc', ['-p', 'src/workers']],
  ['typecheck src/engine', 'tsc', ['-p', 'src/engine']],
];

function run([name, bin, args]) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(`node_modules/.bin/${bin}`, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => (out += `${e.message}\n`));
    child.on('close', (code) => {
      const secs = ((Date.now() - started) / 1000).toFixed(0);
      const ok = code === 0;
      // Prettier's and tsc's own output says what to fix; a passing check prints one line.
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (${secs} s)`);
      if (!ok && out.trim()) console.log(out.trimEnd());
      resolve(ok);
    });
  });
}

const queue = [...checks];
const results = [];
const lanes = Array.from({ length: Math.min(availableParallelism(), checks.length) }, async () => {
  for (let c = queue.shift(); c; c = queue.shift()) results.push(await run(c));
});
await Promise.all(lanes);
const failed = results.filter((ok) => !ok).length;
if (failed > 0) {
  console.log(`${failed} of ${checks.length} static checks failed`);
  // Not process.exit(): output still in a pipe's buffer would be cut off.
  process.exitCode = 1;
}
