// Builds the console into web/dist (served by the collector); in dev, proxies the API and stream to a local collector.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The collector's CSP allows only same-origin scripts: no inline polyfill snippets.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:7070', ws: true, changeOrigin: false },
    },
  },
});
