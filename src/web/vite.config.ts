// Builds the dashboard into web-dist/, which the API serves. Dev: `npx vite --config src/web/vite.config.ts`
// proxies /api and /metrics to a running Vigil on 127.0.0.1:8080.

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../../web-dist/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 300,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/metrics': 'http://127.0.0.1:8080' },
  },
});
