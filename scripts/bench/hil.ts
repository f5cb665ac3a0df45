/**
 * Hardware in the loop, on the emulated board (QEMU mps2-an386 running the verifier firmware;
 * with --board renode also Renode's stm32f4_discovery, flash-slot build, side by side):
 *  1. the good-image scenario split by stage: sign (engine), boot the board, flash (upload at
 *     115200 baud 8N1 through the flasher's throttle), verify on the device (signature + verify),
 *     boot (mark bootable, reset, the application's banner); median of RUNS runs;
 *  2. flash throughput to the board through the 115200 throttle (KIB of data), as a ratio to the
 *     framing limit (the most payload bytes/s the console framing allows at that baud, for the
 *     device's buffer size, computed from the chunk plan the flasher sends) and to the same upload
 *     into the flasher's MockDevice measured in this run (the baseline: what is left is the board's
 *     own time: emulated CPU, UART, QEMU's chardev).
 *   pnpm exec tsx scripts/bench/hil.ts        (FWSIGN_BENCH_RUNS=3, FWSIGN_BENCH_KIB=64)
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { encodeTrustAnchorTable } from '@fwsign/protocol';
import {
  chooseChunk,
  MockDevice,
  SmpClient,
  ThrottledTransport,
  uploadImage,
  type Transport,
} from '@fwsign/flasher';
import {
  createDevelopmentCertificate,
  parseCertificate,
  resolveEffectiveConfiguration,
  signerFromPrivateKey,
  signPayload,
  trustAnchorFromCertificate,
} from '@fwsign/signing-engine';
import {
  DeviceSession,
  locateFirmware,
  QemuBoard,
  RenodeBoard,
  RENODE_MACHINE,
  type Board,
  type Firmware,
} from '@fwsign/harness';

const BAUD = 115200;
const RUNS = Number(process.env.FWSIGN_BENCH_RUNS ?? 3);
const KIB = Number(process.env.FWSIGN_BENCH_KIB ?? 64);
const CERTFILE = '/certs/codesign.crt';
// --board renode adds Renode's stm32f4_discovery (flash-slot build) beside QEMU, in the same run.
const argBoard = process.argv[process.argv.indexOf('--board') + 1];
const KINDS: Array<'qemu' | 'renode'> =
  process.argv.includes('--board') && argBoard === 'renode' ? ['qemu', 'renode'] : ['qemu'];
const firmwareOf = (kind: 'qemu' | 'renode'): Firmware =>
  locateFirmware(kind === 'renode' ? RENODE_MACHINE : 'mps2-an386');
const makeBoard = (kind: 'qemu' | 'renode'): Board =>
  kind === 'renode' ? new RenodeBoard() : new QemuBoard({ firmware: firmwareOf('qemu') });
const label = (kind: 'qemu' | 'renode'): string =>
  kind === 'renode' ? 'renode stm32f4_discovery' : 'qemu mps2-an386';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${x.toFixed(0).padStart(6)} ms`;

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await f();
  return [v, performance.now() - t];
}

async function goodImageStages(kind: 'qemu' | 'renode'): Promise<Record<string, number>> {
  const app = firmwareOf(kind).app(1);
  const material = await createDevelopmentCertificate({
    algorithm: 'ecdsa-p256',
    subject: 'CN=fwsign hil bench',
  });
  const cert = parseCertificate(material.certificatePem);
  const [signed, sign] = await timed(() =>
    signPayload({
      config: resolveEffectiveConfiguration('AmazonFreeRTOS-Default'),
      signer: signerFromPrivateKey(material.privateKeyPem),
      payload: app,
    }),
  );
  const board = makeBoard(kind);
  const timeoutMs = board.linkTimeoutMs;
  try {
    let session!: DeviceSession;
    // Until the verifier answers: after its first line it is busy about a second on a cold boot.
    const [, boot] = await timed(async () => {
      await board.start({
        anchors: encodeTrustAnchorTable([trustAnchorFromCertificate(cert, CERTFILE)]),
      });
      await board.uart.waitFor('serving SMP', { timeoutMs: 60_000 });
      session = new DeviceSession(
        new ThrottledTransport(board.transport(), { baud: BAUD }),
        timeoutMs ? { timeoutMs } : {},
      );
      await session.sync(60_000);
    });
    const [, flash] = await timed(() => session.upload(app));
    const [verdict, verify] = await timed(async () => {
      await session.signature(signed.signature, 'sig-sha256-ecdsa', CERTFILE);
      return session.verify();
    });
    if (verdict.fwv !== 0) throw new Error(`bench: the device refused the image: ${verdict.text}`);
    const [, run] = await timed(async () => {
      const since = board.uart.mark();
      if ((await session.markBootable()).fwv !== 0) throw new Error('bench: mark bootable refused');
      await session.reset();
      await board.uart.waitFor('fwsign-demo-app v1', { since, timeoutMs: 15_000 });
    });
    session.close();
    return {
      sign,
      'board start (until it answers)': boot,
      flash,
      'verify on device': verify,
      'boot (mark, reset, banner)': run,
    };
  } finally {
    await board.stop();
  }
}

/** Upload `image` through a 115200 throttle to `transport`; payload bytes/s. */
async function uploadRate(
  transport: Transport,
  image: Uint8Array,
  timeoutMs = 5000,
): Promise<number> {
  const link = new ThrottledTransport(transport, { baud: BAUD });
  const client = new SmpClient(link, { timeoutMs });
  try {
    const sha = new Uint8Array(createHash('sha256').update(image).digest());
    const stats = await uploadImage(client, image, { bufSize: 1024, bufCount: 2, sha });
    if (stats.rewinds !== 0 || stats.timeouts !== 0)
      throw new Error(
        `bench: ${stats.rewinds} rewinds, ${stats.timeouts} timeouts on a clean link`,
      );
    return image.length / (stats.ms / 1000);
  } finally {
    client.close();
    await link.close();
  }
}

function framingLimit(size: number, bufSize: number): number {
  const sha = new Uint8Array(32);
  let off = 0;
  let wire = 0;
  while (off < size) {
    const c = chooseChunk(off === 0 ? { image: 0, len: size, off, sha } : { off }, size, bufSize);
    wire += c.wireBytes;
    off += c.length;
  }
  return (size / wire) * (BAUD / 10);
}

const image = new Uint8Array(KIB * 1024).map((_, i) => (i * 31 + (i >> 8)) & 0xff);
const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const jwk = publicKey.export({ format: 'jwk' });
const point = new Uint8Array(
  Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x!, 'base64url'),
    Buffer.from(jwk.y!, 'base64url'),
  ]),
);
const anchors = encodeTrustAnchorTable([
  { name: CERTFILE, certSha256: new Uint8Array(32), key: { type: 'ec-p256', point } },
]);
const rates = new Map<'qemu' | 'renode', number>();
for (const kind of KINDS) {
  const stages: Array<Record<string, number>> = [];
  for (let i = 0; i < RUNS; i++) stages.push(await goodImageStages(kind));
  console.log(
    `hil bench: good-image scenario on ${label(kind)}, ${firmwareOf(kind).app(1).length}-byte application, upload at ${BAUD} baud 8N1, median of ${RUNS} runs`,
  );
  let total = 0;
  for (const k of Object.keys(stages[0]!)) {
    const m = median(stages.map((s) => s[k]!));
    total += m;
    console.log(`  ${k.padEnd(28)} ${ms(m)}`);
  }
  console.log(`  ${'total'.padEnd(28)} ${ms(total)}`);

  const board = makeBoard(kind);
  try {
    await board.start({ anchors });
    await board.uart.waitFor('serving SMP', { timeoutMs: 60_000 });
    const ready = new DeviceSession(board.transport());
    await ready.sync(60_000);
    ready.close();
    rates.set(kind, await uploadRate(board.transport(), image, board.linkTimeoutMs));
  } finally {
    await board.stop();
  }
}
const device = new MockDevice({
  trustAnchorTable: anchors,
  slotSize: 512 * 1024,
  bufSize: 1024,
  bufCount: 2,
});
let mockRate: number;
try {
  mockRate = await uploadRate(device.connect(), image);
} finally {
  device.stop();
}
const limit = framingLimit(image.length, 1024);
const fmt = (n: number): string => `${Math.round(n).toLocaleString('en-US')} B/s`;
console.log(
  `\nflash throughput, ${image.length} bytes through the ${BAUD}-baud throttle, buf_size 1024, buf_count 2:`,
);
console.log(`  framing limit (chunk plan, ${BAUD / 10} B/s on the wire)  ${fmt(limit)}`);
console.log(
  `  MockDevice (baseline, this run)                 ${fmt(mockRate)}  = ${(mockRate / limit).toFixed(3)} of the limit`,
);
for (const [kind, rate] of rates)
  console.log(
    `  ${`${label(kind)} (verifier firmware)`.padEnd(47)} ${fmt(rate)}  = ${(rate / limit).toFixed(3)} of the limit, ${(rate / mockRate).toFixed(3)} of the baseline`,
  );
