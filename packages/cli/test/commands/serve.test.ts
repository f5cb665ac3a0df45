import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fwsign } from '../helpers.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'fwsign-serve-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fwsign serve', { timeout: 60_000 }, () => {
  it('serves the API and the console, creates a private credentials file, logs requests, and stops cleanly on SIGTERM', async () => {
    const web = join(dir, 'web');
    mkdirSync(web, { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>console</title>');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'serve',
        '--data-dir',
        join(dir, 'data'),
        '--port',
        '0',
        '--console-dir',
        web,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000);
        child.stderr.on('data', () => {
          // The console's URL is the last line printed at start.
          const m = /console at (http:\/\/\S+)\/console\/\n/.exec(stderr);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      expect(stderr).toContain(`fwsign serve: listening on ${url} `);
      // --console-dir's files are served at the printed URL.
      const page = await fetch(`${url}/console/`);
      expect([page.status, await page.text()]).toEqual([
        200,
        '<!doctype html><title>console</title>',
      ]);
      const creds = join(dir, 'data', 'credentials.json');
      expect(statSync(creds).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(creds, 'utf8')).credentials[0]).toMatchObject({
        accessKeyId: 'test',
        accountId: '000000000000',
      });
      const listed = await fwsign(dir, 'list-signing-profiles', '--endpoint-url', url);
      expect([listed.code, listed.stderr]).toEqual([0, '']);
      child.kill('SIGHUP');
      const deadline = Date.now() + 10_000;
      while (!stderr.includes('access keys loaded') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(stderr).toContain('fwsign serve: SIGHUP: 1 access keys loaded');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toMatch(/signer:ListSigningProfiles 200 [\d.]+ms account=000000000000/);
      expect(stderr).toContain('fwsign serve: stopped, database closed');
      expect(stderr).not.toMatch(/"secretAccessKey"|Signature=[0-9a-f]/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a --database (or FWSIGN_DATABASE) that is not a postgres:// URL, before making anything', async () => {
    const r = await fwsign(dir, 'serve', '--data-dir', 'never-made', '--database', 'signer.db');
    expect(r.stderr).toContain(
      '--database: expected a postgres:// or postgresql:// URL, got "signer.db"',
    );
    expect(r.code).not.toBe(0);
    expect(existsSync(join(dir, 'never-made'))).toBe(false);
  });

  it('exits 2 without --data-dir', async () => {
    const r = await fwsign(dir, 'serve');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--data-dir is required');
  });
});
