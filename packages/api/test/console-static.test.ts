/** The console's static files on the API's port: types, caching, CSP, and S3 left alone. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, SignerServer } from '../src/index.js';
import { signedFetch } from './helpers.js';

let dir: string;
let server: SignerServer;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fwsign-console-static-'));
  const web = join(dir, 'web');
  mkdirSync(join(web, 'assets'), { recursive: true });
  writeFileSync(
    join(web, 'index.html'),
    '<!doctype html><script type="module" src="assets/console-ABCD1234.js"></script>',
  );
  writeFileSync(join(web, 'assets', 'console-ABCD1234.js'), 'console.log(1);');
  writeFileSync(join(web, 'assets', 'console-ABCD1234.css'), 'body{}');
  writeFileSync(join(web, 'assets', 'font-ZZZZ9999.woff2'), Buffer.from([0x77, 0x4f, 0x46, 0x32]));
  server = await SignerServer.open({
    dataDir: join(dir, 'data'),
    port: 0,
    consoleDir: web,
    accessLog: false,
  });
  url = (await server.listen()).url;
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('console static files', () => {
  it('serves index.html uncached with a CSP that allows no inline script', async () => {
    const r = await fetch(`${url}/console/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-cache');
    expect(r.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self';");
    expect(CONSOLE_CSP).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await r.text()).toContain('console-ABCD1234.js');
    // Revalidation by ETag: unchanged means 304 with no body.
    const again = await fetch(`${url}/console/`, {
      headers: { 'if-none-match': r.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  it('serves hashed assets with their types, cached for a year and immutable', async () => {
    for (const [name, type] of [
      ['console-ABCD1234.js', 'text/javascript; charset=utf-8'],
      ['console-ABCD1234.css', 'text/css; charset=utf-8'],
      ['font-ZZZZ9999.woff2', 'font/woff2'],
    ] as const) {
      const r = await fetch(`${url}/console/assets/${name}`);
      expect([r.status, r.headers.get('content-type')]).toEqual([200, type]);
      expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
  });

  it('redirects /console and a browser at / to /console/; 404 names the missing file', async () => {
    const bare = await fetch(`${url}/console`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([302, '/console/']);
    const root = await fetch(`${url}/`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/console/']);
    const missing = await fetch(`${url}/console/..%2F..%2Fdata%2Fcredentials.json`);
    expect(missing.status).toBe(404);
    const nope = await fetch(`${url}/console/nope.js`);
    expect([nope.status, await nope.text()]).toEqual([404, 'No console file /console/nope.js\n']);
  });

  it('leaves signed requests and non-browser clients to the API', async () => {
    // An unsigned non-browser GET / is still S3's AccessDenied.
    const anon = await fetch(`${url}/`);
    expect(anon.status).toBe(403);
    expect(await anon.text()).toContain('<Code>AccessDenied</Code>');
    // A signed GET /console/ is S3's GetBucket... on a bucket named "console", which is not ours.
    const signed = await signedFetch(url, { method: 'PUT', path: '/console', service: 's3' });
    expect(signed.status).toBe(200);
    const listed = await signedFetch(url, {
      method: 'GET',
      path: '/console',
      service: 's3',
      query: { versions: '' },
    });
    expect(listed.status).toBe(200);
    expect(await listed.text()).toContain('<Name>console</Name>');
  });
});
