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
