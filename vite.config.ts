import { defineConfig } from 'vite';
import { offline } from './scripts/vite-offline.ts';

// A relative base lets the built site run from any sub-path of a static host.
export default defineConfig({
  base: './',
  build: { target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
  // sw.js: the built site works offline after the first visit.
  plugins: [offline()],
});
