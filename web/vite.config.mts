import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react-swc';

/**
 * The web app builds into dist/web, next to the compiled server that serves it
 * (server/webApp.ts). `npm run web:dev` proxies /api to a running salesflow server.
 */
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // No inline scripts or data: modules: the app's pages allow scripts from 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm start` (and `npm run api`) serve salesflow on 8088 (SALESFLOW_HTTP_PORT); 8080 is the Temporal UI under docker-compose.
    proxy: { '/api': process.env.SALESFLOW_URL ?? 'http://127.0.0.1:8088' },
  },
});
