/** The esbuild bundle is a working `fwsign` on its own: build it, then run it as a process. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSoftHsm,
  reportSoftHsmSkip,
  softhsmMissing,
} from '../../signing-engine/test/softhsm.js';
import { tempDir } from './helpers.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(pkg, 'dist', 'fwsign.mjs');
const tmp = tempDir();
afterAll(tmp.cleanup);

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return runWithEnv({}, ...args);
}

function runWithEnv(
  env: Record<string, string>,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bundle, ...args], {
    cwd: tmp.dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  const r = spawnSync(process.execPath, [join(pkg, 'build.mjs')], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
});

describe('dist/fwsign.mjs', () => {
  it("ships the store's commit worker beside it, where the store starts it from", () => {
    expect(existsSync(join(pkg, 'dist', 'commit-worker.mjs'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'pg-sync-worker.mjs'))).toBe(true);
  });

  it('ships the web console beside it (setup.sh builds packages/console first)', () => {
    expect(
      existsSync(join(pkg, 'dist', 'console', 'index.html')),
      'dist/console/index.html: run pnpm --filter @fwsign/console build before the CLI build',
    ).toBe(true);
  });

  it('loads only the dispatch for --help, and only platforms for list-signing-platforms (no test libraries, no harness)', () => {
    const dist = join(pkg, 'dist');
    // What a start loads before any verb: the entry and its static imports, transitively.
    const loaded = (file: string, seen = new Set<string>()): Set<string> => {
      if (seen.has(file)) return seen;
      seen.add(file);
      const text = readFileSync(join(dist, file), 'utf8');
      for (const m of text.matchAll(/\bfrom\s*"\.\/([^"]+)"/g)) loaded(m[1]!, seen);
      return seen;
    };
    const list = readdirSync(dist).find((f) => f.startsWith('list-signing-platforms-'))!;
    for (const start of ['fwsign.mjs', list]) {
      const files = [...loaded(start)];
      const bytes = files.reduce((n, f) => n + readFileSync(join(dist, f)).length, 0);
      expect(bytes, `${start} loads ${files.join(', ')}`).toBeLessThan(150_000);
      for (const f of files)
        expect(readFileSync(join(dist, f), 'utf8')).not.toMatch(/vitest|@fwsign\/harness|pkijs/);
    }
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: fwsign <command>');
  });

  it('runs `sign` from one file of its own: no chunks, no command table, no certificate parser or curve library', () => {
    const main = readFileSync(bundle, 'utf8');
    expect(main).not.toMatch(/\bfrom\s*"\.\//);
    expect(main).toContain('import("./fwsign-sign.mjs")');
    const own = readFileSync(join(pkg, 'dist', 'fwsign-sign.mjs'), 'utf8');
    expect(own).not.toMatch(/\bfrom\s*"\.\/|\bimport\("\.\//);
    expect(own).not.toMatch(/vitest|@fwsign\/harness|pkijs|@noble|list-signing-platforms/);
    const usage = run('sign', '--help');
    expect(usage.status).toBe(0);
    expect(usage.stdout).toMatch(/^fwsign sign --platform-id ID/);
    // Failures are classified as through the whole table: a usage error (2) and its usage text.
    const bad = run('sign', '--platform-id', 'AmazonFreeRTOS-Default', '--bogus');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^fwsign sign: .*--bogus.*\nfwsign sign --platform-id ID/s);
  });

  it('`pnpm fwsign` runs the bundle with paths relative to the folder it was typed in (INIT_CWD)', () => {
    const root = join(pkg, '..', '..');
    writeFileSync(join(tmp.dir, 'rel.bin'), Buffer.alloc(300, 1));
    expect(run('keys', 'create', '--algorithm', 'ecdsa-p256', '--subject', 'CN=rel', '--key-out', 'rk.pem', '--cert-out', 'rc.pem').status).toBe(0); // prettier-ignore
    // From outside the repository (`--dir` names it); pnpm passes the user's folder as INIT_CWD.
    const r = spawnSync(
      'pnpm',
      ['-s', '--dir', root, 'fwsign', 'sign', '--platform-id', 'AmazonFreeRTOS-Default', '--key', 'rk.pem', '--cert', 'rc.pem', '--in', 'rel.bin', '--out', 'rel.signed.json'], // prettier-ignore
      { cwd: tmp.dir, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(tmp.dir, 'rel.signed.json')}`);
    expect(run('verify', '--cert', 'rc.pem', '--in', 'rel.signed.json').status).toBe(0);
  });

  it('signs and verifies as a standalone process, with verify exit codes 0 and 1', () => {
    writeFileSync(join(tmp.dir, 'fw.bin'), Buffer.alloc(1000, 7));
    expect(
      run(
        'keys',
        'create',
        '--algorithm',
        'ecdsa-p256',
        '--subject',
        'CN=bundle',
        '--key-out',
        'k.pem',
        '--cert-out',
        'c.pem',
      ).status,
    ).toBe(0);
    expect(
      run(
        'keys',
        'create',
        '--algorithm',
        'ecdsa-p256',
        '--subject',
        'CN=other',
        '--key-out',
        'k2.pem',
        '--cert-out',
        'c2.pem',
      ).status,
    ).toBe(0);
    const signed = run(
      'sign',
      '--platform-id',
      'AmazonFreeRTOS-Default',
      '--key',
      'k.pem',
      '--cert',
      'c.pem',
      '--in',
      'fw.bin',
      '--out',
      'fw.signed.json',
    );
    expect(signed.status, signed.stderr).toBe(0);
    const ok = run('verify', '--cert', 'c.pem', '--in', 'fw.signed.json');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^valid: SHA256withECDSA, 1000 bytes/);
    const bad = run('verify', '--cert', 'c2.pem', '--in', 'fw.signed.json');
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^invalid: signature-mismatch/);
    expect(run('nope').status).toBe(2);
  });
});

reportSoftHsmSkip('the bundle signing through a PKCS#11 token');

describe.skipIf(softhsmMissing)('dist/fwsign-sign.mjs with a PKCS#11 token (SoftHSM2)', () => {
  it('finds pkcs11js from its own file and signs through the token; verify accepts it', () => {
    const hsm = createSoftHsm(['bundle']);
    try {
      const env = { FWSIGN_PKCS11_MODULE: hsm.module, FWSIGN_PKCS11_PIN: hsm.pin };
      const uri = 'pkcs11:token=bundle;object=fw';
      writeFileSync(join(tmp.dir, 'tok.bin'), Buffer.alloc(5000, 3));
      const made = runWithEnv(env, 'keys', 'create', '--pkcs11-uri', uri, '--algorithm', 'ecdsa-p256', '--subject', 'CN=token', '--cert-out', 'tok.crt'); // prettier-ignore
      expect(made.status, made.stderr).toBe(0);
      const signed = runWithEnv(env, 'sign', '--platform-id', 'AmazonFreeRTOS-Default', '--pkcs11-uri', uri, '--cert', 'tok.crt', '--in', 'tok.bin', '--out', 'tok.signed.json'); // prettier-ignore
      expect(signed.status, signed.stderr).toBe(0);
      const ok = run('verify', '--cert', 'tok.crt', '--in', 'tok.signed.json');
      expect(ok.status, ok.stdout).toBe(0);
      expect(ok.stdout).toMatch(/^valid: SHA256withECDSA, 5000 bytes/);
    } finally {
      hsm.cleanup();
    }
  });
});
