// Builds the dashboard to static files (apps/dashboard/dist) that the api serves at `/`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  // No React plugin: oxc compiles the JSX (automatic runtime); fast refresh is not needed here.
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // Everything from 'self': the api's CSP is `default-src 'self'`, so nothing may be inlined.
    assetsInlineLimit: 0,
  },
  server: {
    // `vite` in dev mode: the api runs on :3000 (its default PORT) and answers the data requests.
    proxy: { '/v1': 'http://127.0.0.1:3000' },
  },
});
