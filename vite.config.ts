import { defineConfig } from 'vite';

// A relative base lets the built site run from any sub-path of a static host.
export default defineConfig({
  base: './',
  build: { target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
});
