import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/index.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `fwsign …` in process with relative paths resolved in `cwd`. */
export async function fwsign(cwd: string, ...argv: string[]): Promise<RunResult> {
  return fwsignWithEnv(cwd, {}, ...argv);
}

/** `fwsign …` in process with an environment (FWSIGN_PKCS11_MODULE and the like). */
export async function fwsignWithEnv(
  cwd: string,
  env: Record<string, string | undefined>,
  ...argv: string[]
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    cwd,
    env,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

/** `fwsign keys create` of an ECDSA P-256 development key and certificate in `cwd`. */
export async function devKeys(cwd: string, key = 'k.pem', cert = 'c.pem'): Promise<RunResult> {
  return fwsign(cwd, 'keys', 'create', '--algorithm', 'ecdsa-p256', '--subject', 'CN=test', '--key-out', key, '--cert-out', cert); // prettier-ignore
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'fwsign-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
