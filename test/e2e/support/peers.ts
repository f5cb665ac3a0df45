/**
 * The stock SMP programs fwsign is tested against (the Go `mcumgr` CLI, Mynewt's SMP server on
 * the Linux simulator): looked up in FWSIGN_PEERS, else ../shared/peers beside the checkout.
 * Tests that need one are skipped with a message when it is absent.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '@fwsign/harness';

export const PEERS_DIR = resolve(
  process.env.FWSIGN_PEERS ?? join(REPO_ROOT, '..', 'shared', 'peers'),
);

/** The peer's path when it is there and executable. */
export function peer(name: string): string | undefined {
  const path = join(PEERS_DIR, name);
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

export function skipMessage(name: string): string {
  return `${name} not found in ${PEERS_DIR}: tests against it are skipped (set FWSIGN_PEERS to the folder holding the stock SMP peers, see its README)`;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the Go mcumgr CLI against a serial device; resolves with its exit code and output. */
export function mcumgr(
  bin: string,
  dev: string,
  args: string[],
  opts: { mtu?: number; timeoutMs?: number } = {},
): Promise<RunResult> {
  const mtu = opts.mtu ? `,mtu=${opts.mtu}` : '';
  const conn = [
    '--conntype',
    'serial',
    '--connstring',
    `dev=${dev},baud=115200${mtu}`,
    '-t',
    '5',
    '-r',
    '2',
  ];
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((done) => {
    execFile(bin, [...conn, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}
