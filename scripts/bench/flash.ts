/**
 * Flash throughput: 256 KiB through the throttle decorator (115200 baud 8N1) to MockDevice, with
 * the device's buffers in flight and with one request at a time (stop-and-wait, as mcumgr clients
 * commonly run), each with and without a USB-serial adapter's 16 ms turnaround per direction.
 * Prints payload bytes/s, the framing ceiling computed from the frame layout, and their ratio.
 *
 * Time is scaled so the run takes seconds, not minutes: baud × SCALE and latency ÷ SCALE, then the
 * measured rate ÷ SCALE (FWSIGN_BENCH_SCALE, default 8, about 20 s; 1 runs in real time, about
 * 2.5 minutes). Host-side time per round trip (event loop, CBOR, base64) is multiplied by SCALE
 * too, so stop-and-wait reads a little low when scaled; the model figure beside it is computed
 * from the frame layout alone.
 *   pnpm exec tsx scripts/bench/flash.ts
 */
import { generateKeyPairSync, createHash } from 'node:crypto';
import { join } from 'node:path';
import { encodeTrustAnchorTable } from '@fwsign/protocol';
import {
  chooseChunk,
  consoleFrameWireSize,
  encodeCbor,
  MockDevice,
  SmpClient,
  ThrottledTransport,
  uploadImage,
  LINE_BASE64_CHARS,
} from '@fwsign/flasher';

const BAUD = 115200;
const IMAGE_BYTES = 256 * 1024;
const BUF_SIZE = Number(process.env.FWSIGN_BENCH_BUF_SIZE ?? 1024);
const BUF_COUNT = Number(process.env.FWSIGN_BENCH_BUF_COUNT ?? 2);
const TURNAROUND_MS = 16;
const SCALE = Number(process.env.FWSIGN_BENCH_SCALE ?? 8);

const wireBytesPerSecond = BAUD / 10;
const image = new Uint8Array(IMAGE_BYTES).map((_, i) => (i * 31 + (i >> 8)) & 0xff);
const sha = new Uint8Array(createHash('sha256').update(image).digest());

/** The ceiling: image bytes over the wire bytes of the exact chunk plan the flasher sends. */
function framingCeiling(): { ceiling: number; frames: number; wire: number } {
  let off = 0;
  let wire = 0;
  let frames = 0;
  while (off < IMAGE_BYTES) {
    const fields = off === 0 ? { image: 0, len: IMAGE_BYTES, off, sha } : { off };
    const c = chooseChunk(fields, IMAGE_BYTES, BUF_SIZE);
    wire += c.wireBytes;
    off += c.length;
    frames++;
  }
  return { ceiling: (IMAGE_BYTES / wire) * wireBytesPerSecond, frames, wire };
}

/** Stop-and-wait from the frame layout: each chunk's wire time, its answer's, and the turnaround both ways. */
function stopAndWaitModel(latencyMs: number): number {
  let off = 0;
  let seconds = 0;
  while (off < IMAGE_BYTES) {
    const fields = off === 0 ? { image: 0, len: IMAGE_BYTES, off, sha } : { off };
    const c = chooseChunk(fields, IMAGE_BYTES, BUF_SIZE);
    off += c.length;
    const answer = consoleFrameWireSize(8 + encodeCbor({ rc: 0, off }).length);
    seconds += (c.wireBytes + answer) / wireBytesPerSecond + (2 * latencyMs) / 1000;
  }
  return IMAGE_BYTES / seconds;
}

async function measure(window: number, latencyMs: number): Promise<number> {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x!, 'base64url'),
    Buffer.from(jwk.y!, 'base64url'),
  ]);
  const device = new MockDevice({
    trustAnchorTable: encodeTrustAnchorTable([
      {
        name: '/certs/codesign.crt',
        certSha256: new Uint8Array(32),
        key: { type: 'ec-p256', point },
      },
    ]),
    slotSize: 512 * 1024,
    bufSize: BUF_SIZE,
    bufCount: BUF_COUNT,
  });
  const link = new ThrottledTransport(device.connect(), {
    baud: BAUD * SCALE,
    latencyMs: latencyMs / SCALE,
  });
  const client = new SmpClient(link, { timeoutMs: 5000 });
  try {
    const stats = await uploadImage(client, image, {
      bufSize: BUF_SIZE,
      bufCount: BUF_COUNT,
      window,
      sha,
    });
    if (Buffer.compare(device.state.staging.data.subarray(0, IMAGE_BYTES), image) !== 0)
      throw new Error('bench: staged image differs');
    if (stats.rewinds !== 0) throw new Error(`bench: ${stats.rewinds} rewinds on a clean link`);
    return IMAGE_BYTES / (stats.ms / 1000) / SCALE;
  } finally {
    client.close();
    await link.close();
    device.stop();
  }
}

const fmt = (n: number): string => `${Math.round(n).toLocaleString('en-US')} B/s`;
const { ceiling, frames, wire } = framingCeiling();
const pureFraming = wireBytesPerSecond * (3 / 4) * (LINE_BASE64_CHARS / 127);
console.log(
  `flash bench: ${IMAGE_BYTES} bytes, ${BAUD} baud 8N1 (${wireBytesPerSecond} B/s on the wire), buf_size ${BUF_SIZE}, buf_count ${BUF_COUNT}, time scale ×${SCALE}`,
);
console.log(
  `  base64 + 127-byte lines alone:     ${fmt(pureFraming)} (${(pureFraming / wireBytesPerSecond).toFixed(3)} of the wire)`,
);
console.log(
  `  ceiling for buf_size ${BUF_SIZE}:        ${fmt(ceiling)} (${frames} frames, ${wire} wire bytes; a full chunk is ${chooseChunk({ off: 100_000 }, IMAGE_BYTES, BUF_SIZE).length} data bytes in ${consoleFrameWireSize(chooseChunk({ off: 100_000 }, IMAGE_BYTES, BUF_SIZE).packetSize)} wire bytes)`,
);
const rows: Array<[string, number, number]> = [
  [`windowed (${BUF_COUNT} in flight), no turnaround`, BUF_COUNT, 0],
  [`windowed (${BUF_COUNT} in flight), 16 ms turnaround`, BUF_COUNT, TURNAROUND_MS],
  ['stop-and-wait, no turnaround', 1, 0],
  ['stop-and-wait, 16 ms turnaround', 1, TURNAROUND_MS],
];
const results: number[] = [];
for (const [name, window, latency] of rows) {
  const rate = await measure(window, latency);
  results.push(rate);
  const model =
    window === 1
      ? `  (model ${fmt(stopAndWaitModel(latency))}, ${(stopAndWaitModel(latency) / ceiling).toFixed(3)})`
      : '';
  console.log(
    `  ${name.padEnd(42)} ${fmt(rate).padStart(10)}  ${(rate / ceiling).toFixed(3)} of ceiling${model}`,
  );
}
console.log(
  `  windowed / stop-and-wait with turnaround: ${(results[1]! / results[3]!).toFixed(2)}×`,
);
const goal = results[1]! / ceiling;
console.log(
  `  goal ≥ 0.9 of the ceiling with turnaround: ${goal.toFixed(3)} ${goal >= 0.9 ? 'met' : 'NOT met'}`,
);

// ---- the stock-server path (fwsign flash of an MCUboot-format image: the image group alone) ----
// Against real SMP server code, in real time at 115200 baud 8N1 (the host side of the link is
// throttled; the emulated UART itself has no baud rate): the verifier on QEMU's mps2-an386
// (buf_count 2: windowed), and Mynewt's simulator where it runs (no MCUmgr parameters: one
// 512-byte buffer, MCUboot's defaults). FWSIGN_BENCH_STOCK=0 leaves this part out.
if (process.env.FWSIGN_BENCH_STOCK !== '0') await stockServers();

async function stockServers(): Promise<void> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { QemuBoard, locateFirmware, MynewtSim, mynewtSimCommand, REPO_ROOT } =
    await import('@fwsign/harness');
  const { flashMcubootImage, packMcubootImage, parseVersion, SerialTransport } =
    await import('@fwsign/flasher');
  const payload = new Uint8Array(64 * 1024).map((_, i) => (i * 7 + 3) & 0xff);
  const packed = (p: Uint8Array): Uint8Array =>
    packMcubootImage({
      payload: p,
      signature: new Uint8Array(72).fill(1),
      alg: 'sig-sha256-ecdsa',
      certfile: '/certs/codesign.crt',
      version: parseVersion('1.0.0'),
    });
  const ceilingFor = (bytes: Uint8Array, bufSize: number): number => {
    const s = new Uint8Array(32);
    let off = 0;
    let w = 0;
    while (off < bytes.length) {
      const c = chooseChunk(
        off === 0 ? { image: 0, len: bytes.length, off, sha: s } : { off },
        bytes.length,
        bufSize,
      );
      w += c.wireBytes;
      off += c.length;
    }
    return (bytes.length / w) * wireBytesPerSecond;
  };
  const run = async (
    name: string,
    path: string,
    bytes: Uint8Array,
    bufSize: number,
  ): Promise<void> => {
    const link = new ThrottledTransport(await SerialTransport.open({ path, baudRate: BAUD }), {
      baud: BAUD,
    });
    try {
      const r = await flashMcubootImage({ transport: link, image: bytes, timeoutMs: 5000 });
      const c = ceilingFor(bytes, bufSize);
      console.log(
        `  ${name.padEnd(42)} ${fmt(r.bytesPerSecond).padStart(10)}  ${(r.bytesPerSecond / c).toFixed(3)} of its ceiling ${fmt(c)} (${r.upload.chunks} chunks, ${r.upload.resent} resent)`,
      );
    } finally {
      await link.close();
    }
  };
  console.log(
    `stock-server path, ${BAUD} baud in real time, a packed image of ${payload.length} payload bytes:`,
  );
  const board = new QemuBoard({
    uart: 'pty',
    holdUart: false,
    firmware: locateFirmware('mps2-an386'),
  });
  // Nothing is verified in this bench: any well-formed table does.
  const point = new Uint8Array(65);
  point[0] = 4;
  await board.start({
    anchors: encodeTrustAnchorTable([
      {
        name: '/certs/codesign.crt',
        certSha256: new Uint8Array(32),
        key: { type: 'ec-p256', point },
      },
    ]),
  });
  try {
    await run('fwsign verifier on QEMU (buf_count 2)', board.serialPath(), packed(payload), 1024);
  } finally {
    await board.stop();
  }
  const sim = join(
    process.env.FWSIGN_PEERS ?? join(REPO_ROOT, '..', 'shared', 'peers'),
    'mynewt-slinky-sim',
  );
  const command = mynewtSimCommand(sim);
  if (!command) {
    console.log(
      `  Mynewt simulator: ${sim} does not run here (32-bit, and no qemu-i386; see ../shared/peers/README.md), skipped`,
    );
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'fwsign-bench-sim-'));
  const mynewt = await MynewtSim.start(command, join(dir, 'flash.bin'));
  try {
    await run(
      `Mynewt simulator${command.length > 1 ? ' (qemu-i386)' : ''} (no params: 1 × 512 B)`,
      mynewt.pty,
      packed(payload.subarray(0, 32 * 1024)),
      512,
    );
  } finally {
    await mynewt.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
