/**
 * A tiny static server for dist/ on 127.0.0.1 (no dependencies). Sends the same Content-Security-Policy
 * as index.html's meta tag, so workers (which do not inherit a meta CSP) are held to it too.
 * Used by `npm start`, the end-to-end tests and the browser bench.
 */
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Serve `root` on 127.0.0.1:`port` (0 = a free port). Resolves with { server, url }. */
/**
 * The file a request path names inside `base`, or a status: 400 for a malformed %-escape or a NUL,
 * 403 for anything that resolves outside the served root. The root is compared as a directory
 * (base + sep), so a sibling folder whose name merely starts with it (dist-secret) is outside.
 */
export function resolveRequestPath(base, url) {
  let path;
  try {
    path = decodeURIComponent(new URL(url ?? '/', 'http://x').pathname);
  } catch {
    return { status: 400, text: 'bad request: malformed percent-escape in the path' };
  }
  if (path.includes('\0')) return { status: 400, text: 'bad request: NUL in the path' };
  const file = resolve(base, '.' + (path.startsWith('/') ? path : '/' + path));
  if (file !== base && !file.startsWith(base.endsWith(sep) ? base : base + sep)) return { status: 403, text: 'forbidden' };
  return { file };
}

/**
 * Request-header budget: links keep their state in the fragment (never sent), but an old `?` link
 * carries it in the request line, and Node's default 16 KB limit answered 431 (a blank page) to one
 * of 20k characters. Chromium's own URL limit is 2 MiB, so any link a browser can send is served.
 */
export const MAX_HEADER_BYTES = 4 * 2 ** 20;

export function serveDist(root, port = 0) {
  const base = resolve(root);
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, async (req, res) => {
    try {
      const r = resolveRequestPath(base, req.url);
      if (!r.file) {
        res.writeHead(r.status, { 'Content-Type': 'text/plain' }).end(r.text);
        return;
      }
      let file = r.file;
      let st = await stat(file).catch(() => null);
      if (st?.isDirectory()) {
        file = join(file, 'index.html');
        st = await stat(file).catch(() => null);
      }
      if (!st) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Security-Policy': CSP,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(body);
    } catch {
      // Never echo exception text (paths, internals) to the client.
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('internal error');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address();
      ok({ server, url: `http://127.0.0.1:${addr.port}/` });
    });
  });
}
