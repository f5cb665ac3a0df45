/**
 * What a power cut costs on Renode, the two ways RenodeBoard can bring the board back, in the same
 * run and the same Renode process: 'new-machine' (save the 2 MiB flash, remove the machine, build
 * a new one from the platform description and load the flash: the first version of the board) and
 * 'in-place' (keep the paused machine, clear SRAM, reset: the default). Each cycle is what every
 * exact cut point pays twice (power-cut-exact.slow.test.ts): cut, power on, until the installed
 * application's banner. The rounds alternate the two ways, so load on a shared host hits both.
 *   pnpm exec tsx scripts/bench/renode-cuts.ts        (FWSIGN_BENCH_RUNS=4 rounds of 4 cycles per way)
 */
import {
  createDevelopmentCertificate,
  parseCertificate,
  resolveEffectiveConfiguration,
  signerFromPrivateKey,
  signPayload,
  trustAnchorFromCertificate,
} from '@fwsign/signing-engine';
import { encodeTrustAnchorTable } from '@fwsign/protocol';
import { DeviceSession, findRenode, RenodeBoard, RenodeMonitor } from '@fwsign/harness';

const ROUNDS = Number(process.env.FWSIGN_BENCH_RUNS ?? 4);
const CYCLES = 4;
const CERTFILE = '/certs/codesign.crt';
const MODES = ['new-machine', 'in-place'] as const;
type Mode = (typeof MODES)[number];

if (!findRenode()) {
  console.log(
    'renode-cuts bench: no Renode found (PATH, $RENODE, ../shared/renode): nothing to do',
  );
  process.exit(0);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const material = await createDevelopmentCertificate({
  algorithm: 'ecdsa-p256',
  subject: 'CN=fwsign renode cuts bench',
});
const anchors = encodeTrustAnchorTable([
  trustAnchorFromCertificate(parseCertificate(material.certificatePem), CERTFILE),
]);

/** A board with app v1 verified and marked bootable, running it. */
async function installed(mode: Mode): Promise<RenodeBoard> {
  const board = new RenodeBoard({ powerOn: mode, monitor: await RenodeMonitor.shared() });
  const app = board.firmware.app(1);
  const signed = await signPayload({
    config: resolveEffectiveConfiguration('AmazonFreeRTOS-Default'),
    signer: signerFromPrivateKey(material.privateKeyPem),
    payload: app,
  });
  await board.start({ anchors });
  await board.uart.waitFor('serving SMP', { timeoutMs: 60_000 });
  const s = new DeviceSession(board.transport(), { timeoutMs: board.linkTimeoutMs });
  await s.upload(app);
  await s.signature(signed.signature, 'sig-sha256-ecdsa', CERTFILE);
  const verdicts = [(await s.verify()).fwv, (await s.markBootable()).fwv];
  if (verdicts.some((v) => v !== 0))
    throw new Error(`bench: install refused: ${verdicts.join(', ')}`);
  const since = board.uart.mark();
  await s.reset();
  s.close();
  await board.uart.waitFor('fwsign-demo-app v1', { since, timeoutMs: 30_000 });
  return board;
}

// One board at a time: machines in one emulation keep to one virtual clock, so a second machine
// (even idle) would slow the other's every cycle.
const times = new Map<Mode, number[]>(MODES.map((m) => [m, []]));
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) {
      const board = await installed(mode);
      try {
        for (let i = 0; i < CYCLES; i++) {
          const t = performance.now();
          await board.powerCut();
          const since = board.uart.mark();
          await board.start();
          await board.uart.waitFor('fwsign-demo-app v1', { since, timeoutMs: 30_000 });
          times.get(mode)!.push(performance.now() - t);
        }
      } finally {
        await board.stop();
      }
    }
  }
} finally {
  await (await RenodeMonitor.shared()).quit();
}
const base = median(times.get('new-machine')!);
console.log(
  `renode-cuts bench: power cut + power on + the application's banner, stm32f4_discovery, median of ${ROUNDS * CYCLES}`,
);
for (const mode of MODES) {
  const m = median(times.get(mode)!);
  console.log(
    `  ${mode.padEnd(12)} ${m.toFixed(0).padStart(6)} ms  (${(m / base).toFixed(2)} of new-machine)`,
  );
}
