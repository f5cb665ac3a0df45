/**
 * The `fwsign` command as a user meets it, whole processes: `pnpm exec tsx scripts/bench/cli.ts`.
 * Builds the bundle, then runs each case interleaved with its baseline in the same run and keeps
 * the best of RUNS (the fastest run is the one the machine's other load disturbed least):
 *   start-up  `fwsign --help` and offline `fwsign list-signing-platforms` against `node -e 0`
 *             (goal: ≤ 0.12 s where `node -e 0` takes 0.08 s, a ratio of 1.5)
 *   sign      `fwsign sign` of a 16 MiB image for AmazonFreeRTOS-Default against
 *             `openssl dgst -sha256 -sign` of the same file (goal: ≤ 6.5)
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const cli = fileURLToPath(new URL('../../packages/cli/', import.meta.url));
const bundle = join(cli, 'dist', 'fwsign.mjs');

function run(argv: string[], cwd: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0)
    throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr.toString().slice(0, 500)}`);
  return ms;
}

/** Best-of-RUNS wall time of each command, the commands taking turns. */
function interleaved(commands: string[][], cwd: string): number[] {
  const best = commands.map(() => Number.POSITIVE_INFINITY);
  for (let i = 0; i < RUNS; i++)
    commands.forEach((c, j) => (best[j] = Math.min(best[j]!, run(c, cwd))));
  return best;
}

const build = spawnSync(process.execPath, [join(cli, 'build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) throw new Error('build.mjs failed');

const dir = mkdtempSync(join(tmpdir(), 'fwsign-bench-cli-'));
try {
  const node = process.execPath;
  run([node, bundle, 'keys', 'create', '--algorithm', 'ecdsa-p256', '--subject', 'CN=bench', '--key-out', 'k.pem', '--cert-out', 'c.pem'], dir); // prettier-ignore
  writeFileSync(join(dir, 'fw.bin'), randomBytes(16 * 1024 * 1024));

  const [base, help, list] = interleaved(
    [
      [node, '-e', '0'],
      [node, bundle, '--help'],
      [node, bundle, 'list-signing-platforms'],
    ],
    dir,
  );
  const [openssl, sign] = interleaved(
    [
      ['openssl', 'dgst', '-sha256', '-sign', 'k.pem', '-out', 'fw.sig', 'fw.bin'],
      [node, bundle, 'sign', '--platform-id', 'AmazonFreeRTOS-Default', '--key', 'k.pem', '--cert', 'c.pem', '--in', 'fw.bin', '--out', 'fw.signed.json'], // prettier-ignore
    ],
    dir,
  );
  const row = (name: string, ms: number, baseMs: number, goal: number): string =>
    `${name.padEnd(34)} ${(ms / 1000).toFixed(3)} s  ${(ms / baseMs).toFixed(2)}×  (goal ≤ ${goal}×)`;
  // The machine may be shared: the load says how far to trust the run (ratios hold best when idle).
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(`best of ${RUNS}, whole processes, baselines in the same run; load average ${load}`);
  console.log(
    `node -e 0                          ${(base! / 1000).toFixed(3)} s  (start-up baseline)`,
  );
  console.log(row('fwsign --help', help!, base!, 1.5));
  console.log(row('fwsign list-signing-platforms', list!, base!, 1.5));
  console.log(
    `openssl dgst -sha256 -sign 16 MiB  ${(openssl! / 1000).toFixed(3)} s  (sign baseline)`,
  );
  console.log(row('fwsign sign 16 MiB (FreeRTOS)', sign!, openssl!, 6.5));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
