// The SQL fuzzer: random schemas and statements run on several cluster shapes and on a real
// PostgreSQL; failures are shrunk and printed as regression cases (test/differential/fuzz).
//
//   npm run fuzz:sql -- [--seeds N] [--from S] [--statements M] [--shapes 1seg,2x2,3x2]
//                       [--no-pg] [--no-tlp] [--shrink RUNS]
//
// The TypeScript is loaded through Vite's SSR module loader (no build step).
import { createServer } from 'vite';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const server = await createServer({
  root: repoRoot,
  logLevel: 'warn',
  configFile: false,
  server: { middlewareMode: true, hmr: false, ws: false, watch: null },
  optimizeDeps: { noDiscovery: true },
});
let code;
try {
  const { main } = await server.ssrLoadModule('/test/differential/fuzz/cli.ts');
  code = await main(process.argv.slice(2));
} finally {
  await server.close();
}
process.exit(code ?? 1);
