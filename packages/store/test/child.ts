import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { TEST_MASTER_KEY } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Bundles the child script once so each spawn is a plain `node x.mjs` (fast start,
 * no loader). The bundle lives under the package's node_modules so that the native
 * better-sqlite3, kept external, resolves as it does for the package itself.
 */
export async function bundleChild(): Promise<string> {
  const outDir = join(here, '..', 'node_modules', '.fwsign-test');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `store-child-${process.pid}.mjs`);
  await build({
    entryPoints: [join(here, 'fixtures', 'store-child.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['better-sqlite3'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'silent',
  });
  return outfile;
}

export function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, FWSIGN_TEST_MASTER_KEY: Buffer.from(TEST_MASTER_KEY).toString('hex') };
}

export interface ChildRun { stdout: string; code: number | null; signal: NodeJS.Signals | null }

/** Runs the child to completion (bounded by timeoutMs). */
export function runChild(bundle: string, args: string[], timeoutMs: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
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
