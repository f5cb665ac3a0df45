import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import {
  ALICE,
  EC_P256,
  openStore,
  opensslPair,
  removeDir,
  setupAlice,
  TEST_MASTER_KEY,
  tempDir,
} from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Bundles the child script once so each spawn is a plain `node x.mjs` (fast start,
 * no loader), with the store's commit worker beside it as the CLI's bundle ships it.
 * The bundle lives under the package's node_modules so that the native
 * better-sqlite3, kept external, resolves as it does for the package itself.
 */
async function bundleChild(): Promise<string> {
  const outdir = join(here, '..', 'node_modules', '.fwsign-test', `store-child-${process.pid}`);
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: {
      'store-child': join(here, 'fixtures', 'store-child.ts'),
      'commit-worker': join(here, '..', 'src', 'commit-worker.ts'),
      'pg-sync-worker': join(here, '..', 'src', 'pg-sync-worker.ts'),
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir,
    outExtension: { '.js': '.mjs' },
    external: ['better-sqlite3'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'silent',
  });
  return join(outdir, 'store-child.mjs');
}

export function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, FWSIGN_TEST_MASTER_KEY: Buffer.from(TEST_MASTER_KEY).toString('hex') };
}

export interface ChildRun {
  stdout: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the child to completion (bounded by timeoutMs). */
export function runChild(bundle: string, args: string[], timeoutMs: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], {
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0 && signal === null) reject(new Error(`child exited ${code}: ${stderr}`));
      else resolve({ stdout, code, signal });
    });
  });
}

export interface ChildFixture {
  dir: string;
  keys: string;
  bundle: string;
  sourceVersion: string;
}

/** What the multi-process tests start from: the bundled child, and a data dir holding Alice's EC profile and one source object. */
export async function prepareChildFixture(
  name: string,
  payload: Uint8Array,
): Promise<ChildFixture> {
  const dir = tempDir(name);
  const keys = tempDir(`${name}-keys`);
  const bundle = await bundleChild();
  const store = openStore(dir);
  setupAlice(store, opensslPair(keys, 'ec', EC_P256));
  const sourceVersion = store.buckets.putObject(
    ALICE.accountId,
    'src-bucket',
    'fw/app.bin',
    payload,
  ).versionId;
  store.close();
  return { dir, keys, bundle, sourceVersion };
}

export function disposeChildFixture(fixture: ChildFixture | undefined): void {
  if (!fixture) return;
  removeDir(fixture.dir);
  removeDir(fixture.keys);
  rmSync(dirname(fixture.bundle), { recursive: true, force: true });
}
