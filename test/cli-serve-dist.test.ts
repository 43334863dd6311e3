/**
 * scripts/serve-dist.mjs (issue 12, row 12): paths are resolved and checked against the served root
 * as a directory (root + sep), so a sibling folder whose name starts with the root's is out of reach;
 * malformed %-escapes are 400, not 500 with the exception text.
 */
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { resolveRequestPath, serveDist } from '../scripts/serve-dist.mjs';

let server: { close(): void };
let port: number;
let root: string;

/** A raw GET (fetch would normalise `..` and escapes before sending). */
function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

beforeAll(async () => {
  const top = mkdtempSync(join(tmpdir(), 'serve-'));
  root = join(top, 'dist');
  mkdirSync(root);
  mkdirSync(join(top, 'dist-secret'));
  writeFileSync(join(root, 'index.html'), '<p>ok</p>');
  writeFileSync(join(top, 'dist-secret', 'secret.txt'), 'SECRET');
  writeFileSync(join(top, 'outside.txt'), 'OUTSIDE');
  const s = (await serveDist(root)) as { server: { close(): void; address(): { port: number } }; url: string };
  server = s.server;
  port = s.server.address().port;
});
afterAll(() => server?.close());

describe('serve-dist', () => {
  it('serves files inside the root', async () => {
    expect(await get('/')).toEqual({ status: 200, body: '<p>ok</p>' });
    expect((await get('/index.html')).status).toBe(200);
    expect((await get('/missing.js')).status).toBe(404);
  });

  it('never serves a sibling folder or a parent, however the path is spelled', async () => {
    for (const path of ['/..%2Fdist-secret%2Fsecret.txt', '/../dist-secret/secret.txt', '/%2e%2e/outside.txt', '/..%2f..%2foutside.txt', '/..%5Coutside.txt', '/%2E%2E%2Fdist-secret/secret.txt']) {
      const r = await get(path);
      expect(r.body, path).not.toMatch(/SECRET|OUTSIDE/);
      expect([403, 404], path).toContain(r.status);
    }
  });

  it('malformed escapes and NUL are 400 without exception text', async () => {
    for (const path of ['/%E0%A4%A', '/%', '/a%zz', '/index.html%00.js']) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect(r.body).not.toMatch(/URIError|Error:|at /);
    }
  });

  it('an old ? link of any length a browser sends opens the page (no 431 from the default 16 KB header limit)', async () => {
    for (const n of [20_000, 1_000_000]) {
      const r = await get('/?v=1&problem=custom&expr=' + 'x'.repeat(n));
      expect(r, String(n)).toEqual({ status: 200, body: '<p>ok</p>' });
    }
  });

  it('resolveRequestPath compares against root + sep', () => {
    expect(resolveRequestPath('/srv/dist', '/..%2Fdist-secret%2Fx')).toEqual({ status: 403, text: 'forbidden' });
    expect(resolveRequestPath('/srv/dist', '/a/../b.js')).toEqual({ file: '/srv/dist/b.js' });
    expect(resolveRequestPath('/srv/dist', '/')).toEqual({ file: '/srv/dist' });
  });
});
