import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * index.html carries the page's Content-Security-Policy (everything 'self'). The dev server needs inline
 * scripts (React Refresh preamble) and a websocket, so the meta tag is dropped when serving in dev only;
 * the built page (npm start, the tests) keeps it.
 */
function devWithoutCsp(): Plugin {
  return {
    name: 'rodflow-dev-without-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[\s\S]*?\/>/, ''),
  };
}

export default defineConfig({
  plugins: [react(), devWithoutCsp()],
  base: './',
  worker: { format: 'es' },
  // The page bundles the engine (mathjs for custom expressions, tfjs for networks): ~1 MB is expected.
  // KaTeX's fonts stay files (not data: URLs, which the page's font-src 'self' refuses).
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 3000, assetsInlineLimit: (file) => (/KaTeX_/.test(file) ? false : undefined) },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
