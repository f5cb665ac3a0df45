/**
 * Throw-away SoftHSM2 tokens for the PKCS#11 tests (shared by the engine, store, api and cli
 * tests): a temp dir holding a softhsm2.conf with its own tokendir, SOFTHSM2_CONF pointing at it,
 * and one initialised token per label. SoftHSM reads SOFTHSM2_CONF once, when the module is first
 * initialised in a process, so a test file creates its tokens before it opens any; vitest runs
 * each file in its own worker.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian (and most distributions) put SoftHSM2's module; FWSIGN_TEST_SOFTHSM_MODULE overrides. */
const MODULE_CANDIDATES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
];

const SOFTHSM_MODULE =
  process.env.FWSIGN_TEST_SOFTHSM_MODULE ?? MODULE_CANDIDATES.find((p) => existsSync(p));

function onPath(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why the SoftHSM tests cannot run here, or undefined when they can. */
export const softhsmMissing: string | undefined = !SOFTHSM_MODULE
  ? `SoftHSM2's module is not at ${MODULE_CANDIDATES[0]}: install it with bash scripts/setup.sh (apt-get install softhsm2) or set FWSIGN_TEST_SOFTHSM_MODULE`
  : !onPath('softhsm2-util')
    ? 'softhsm2-util is not on PATH: install it with bash scripts/setup.sh (apt-get install softhsm2)'
    : !onPath('pkcs11-tool')
      ? 'pkcs11-tool (the independent look at the token) is not on PATH: install it with bash scripts/setup.sh (apt-get install opensc)'
      : undefined;

const USER_PIN = '4711-fwsign';
const SO_PIN = '0815-security-officer';

export interface SoftHsm {
  readonly dir: string;
  readonly module: string;
  readonly pin: string;
  /** The tokendir: deleting or renaming it is what "the token was pulled" looks like to SoftHSM. */
  readonly tokenDir: string;
  /** A fresh token labelled `label` in this tokendir. */
  initToken(label: string): void;
  /** Runs pkcs11-tool against this SoftHSM and returns its stdout. */
  pkcs11Tool(args: string[]): string;
  cleanup(): void;
}

/**
 * A temp dir with a SoftHSM configuration and one token per label, and SOFTHSM2_CONF set for
 * this process and its children. `cleanup` removes the dir and restores SOFTHSM2_CONF.
 */
export function createSoftHsm(labels: string[] = ['fwsign']): SoftHsm {
  if (softhsmMissing) throw new Error(softhsmMissing);
  const module = SOFTHSM_MODULE!;
  const dir = mkdtempSync(join(tmpdir(), 'fwsign-softhsm-'));
  const tokenDir = join(dir, 'tokens');
  const conf = join(dir, 'softhsm2.conf');
  mkdirSync(tokenDir);
  writeFileSync(
    conf,
    `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  const previous = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = conf;
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const hsm: SoftHsm = {
    dir,
    module,
    pin: USER_PIN,
    tokenDir,
    initToken(label) {
      execFileSync(
        'softhsm2-util',
        ['--init-token', '--free', '--label', label, '--pin', USER_PIN, '--so-pin', SO_PIN],
        { env, stdio: ['ignore', 'ignore', 'pipe'] },
      );
    },
    pkcs11Tool(args) {
      return execFileSync('pkcs11-tool', ['--module', module, ...args], {
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      if (previous === undefined) delete process.env.SOFTHSM2_CONF;
      else process.env.SOFTHSM2_CONF = previous;
    },
  };
  for (const label of labels) hsm.initToken(label);
  return hsm;
}

/** The skip message, printed once per file, for suites gated on SoftHSM. */
export function reportSoftHsmSkip(suite: string, missing = softhsmMissing): void {
  if (missing) console.warn(`${suite}: skipped: ${missing}`);
}

/**
 * Points FWSIGN_PKCS11_MODULE and FWSIGN_PKCS11_PIN at `hsm` in this process (where a server under
 * test reads them); returns what puts the previous values back.
 */
export function useTokenEnv(hsm: SoftHsm): () => void {
  const saved = { module: process.env.FWSIGN_PKCS11_MODULE, pin: process.env.FWSIGN_PKCS11_PIN };
  process.env.FWSIGN_PKCS11_MODULE = hsm.module;
  process.env.FWSIGN_PKCS11_PIN = hsm.pin;
  return () => {
    for (const [k, v] of [
      ['FWSIGN_PKCS11_MODULE', saved.module],
      ['FWSIGN_PKCS11_PIN', saved.pin],
    ] as const)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  };
}
