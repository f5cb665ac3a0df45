import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  chooseChunk,
  consoleFrameWireSize,
  FaultyTransport,
  FlasherError,
  MockDevice,
  SmpClient,
  ThrottledTransport,
  uploadImage,
  uploadPacketSize,
} from '../src/index.js';
import { anchorTable, ecKey, makeImage } from './helpers.js';

const table = anchorTable(ecKey());
const devices: MockDevice[] = [];
function device(opts: Partial<ConstructorParameters<typeof MockDevice>[0]> = {}): MockDevice {
  const d = new MockDevice({ trustAnchorTable: table, slotSize: 256 * 1024, ...opts });
  devices.push(d);
  return d;
}
afterAll(() => devices.forEach((d) => d.stop()));
const staged = (d: MockDevice, n: number): Uint8Array => d.state.staging.data.subarray(0, n);

describe('chunk sizing', () => {
  it('fills the device buffer: length prefix + header + CBOR + CRC stay below buf_size', () => {
    for (const bufSize of [128, 256, 512, 1024, 2048, 4096]) {
      for (const fields of [
        { off: 0, image: 0, len: 300_000, sha: new Uint8Array(32) },
        { off: 150_000 },
      ]) {
        const c = chooseChunk(fields, 300_000, bufSize, 8);
        expect(c.packetSize + 4).toBeLessThanOrEqual(bufSize - 1);
        expect(c.length % 8).toBe(0);
        expect(c.packetSize).toBe(uploadPacketSize(fields, c.length));
        // No chunk that fits does better per wire byte.
        for (let n = 8; uploadPacketSize(fields, n) + 4 <= bufSize - 1; n += 8) {
          expect(n / consoleFrameWireSize(uploadPacketSize(fields, n))).toBeLessThanOrEqual(
            c.length / c.wireBytes + 1e-12,
          );
        }
      }
    }
  });

  it('sends the tail as the last chunk whatever its alignment', () => {
    expect(chooseChunk({ off: 1000 }, 1003, 1024).length).toBe(3);
  });

  it('refuses a buffer too small for any upload request', () => {
    expect(() =>
      chooseChunk({ off: 0, image: 0, len: 10, sha: new Uint8Array(32) }, 10, 40),
    ).toThrow(FlasherError);
  });
});

describe('windowed upload', () => {
  for (const [bufSize, bufCount] of [
    [512, 1],
    [1024, 2],
    [2048, 4],
  ] as const) {
    it(`uploads byte-exact with buf_size ${bufSize}, buf_count ${bufCount}`, async () => {
      const d = device({ bufSize, bufCount });
      const image = makeImage(50_001, bufSize);
      const client = new SmpClient(d.connect(), { timeoutMs: 500 });
      const progress: number[] = [];
      const stats = await uploadImage(client, image, {
        bufSize,
        bufCount,
        onProgress: (a) => progress.push(a),
      });
      expect(Buffer.compare(staged(d, image.length), image)).toBe(0);
      expect(stats.rewinds).toBe(0);
      expect(d.dropped).toEqual([]);
      expect(progress.at(-1)).toBe(image.length);
      client.close();
    });
  }

  it('follows the device when it takes only the flash-aligned part of a chunk (MCUboot)', async () => {
    const d = device({ flavour: 'mcuboot', writeAlign: 16 });
    const image = makeImage(10_000, 3);
    const client = new SmpClient(d.connect(), { timeoutMs: 500 });
    const stats = await uploadImage(client, image, { bufSize: 512, bufCount: 1, align: 4 });
    expect(Buffer.compare(staged(d, image.length), image)).toBe(0);
    expect(stats.rewinds).toBeGreaterThan(0);
    client.close();
  });

  it('waits out a slow first chunk (MCUboot erasing the slot) longer than the normal deadline', async () => {
    const d = device({ flavour: 'mcuboot', eraseMs: 300 });
    const image = makeImage(3000, 4);
    const client = new SmpClient(d.connect(), { timeoutMs: 100 });
    const stats = await uploadImage(client, image, {
      bufSize: 512,
      bufCount: 1,
      firstChunkTimeoutMs: 2000,
    });
    expect(stats.timeouts).toBe(0);
    expect(Buffer.compare(staged(d, image.length), image)).toBe(0);
    client.close();
  });

  it('resumes an interrupted upload from the offset the device reports', async () => {
    const d = device();
    const image = makeImage(100_000, 6);
    const sha = new Uint8Array(createHash('sha256').update(image).digest());
    const first = new SmpClient(d.connect(), { timeoutMs: 500 });
    const aborted = await uploadImage(first, image, {
      bufSize: 1024,
      bufCount: 2,
      sha,
      onProgress: (acked) => {
        if (acked >= 40_000) first.close();
      },
    }).catch((e: unknown) => e);
    expect((aborted as FlasherError).code).toBe('TransportClosed');
    // Let the device finish what was already in its buffers.
    await new Promise((r) => setTimeout(r, 20));
    const reached = d.state.upload!.off;
    expect(reached).toBeGreaterThanOrEqual(40_000);
    const second = new SmpClient(d.connect(), { timeoutMs: 500 });
    const acks: number[] = [];
    const stats = await uploadImage(second, image, {
      bufSize: 1024,
      bufCount: 2,
      sha,
      onProgress: (a) => acks.push(a),
    });
    expect(acks[0]).toBe(reached);
    // Only what was missing went over the wire again (plus the probing first chunk and its window).
    expect(stats.chunks).toBeLessThan(Math.ceil((image.length - reached) / 900) + 4);
    expect(Buffer.compare(staged(d, image.length), image)).toBe(0);
    second.close();
  });

  it('fails with UploadFailed, not a hang, when the device never takes a chunk', async () => {
    const d = device();
    const client = new SmpClient(d.connect(), { timeoutMs: 30 });
    // The device stops answering: every chunk times out.
    d.stop();
    d.receive = () => undefined;
    const err = (await uploadImage(client, makeImage(5000), {
      bufSize: 1024,
      bufCount: 2,
      firstChunkTimeoutMs: 30,
      maxRetries: 3,
    }).catch((e: unknown) => e)) as FlasherError;
    expect(err.code).toBe('UploadFailed');
    expect(err.message).toMatch(
      /^upload: no progress at offset 0 of 5000 after 3 retries \(last: SMP write group 1 command 1/,
    );
    client.close();
  });

  it('keeps order and bytes through the throttle decorator with latency, and the window fills the device buffers', async () => {
    const d = device({ bufSize: 1024, bufCount: 3 });
    const image = makeImage(30_000, 8);
    const link = new ThrottledTransport(d.connect(), { baud: 4_000_000, latencyMs: 2 });
    const client = new SmpClient(link, { timeoutMs: 1000 });
    const stats = await uploadImage(client, image, { bufSize: 1024, bufCount: 3 });
    expect(stats.rewinds).toBe(0);
    expect(d.dropped).toEqual([]);
    expect(Buffer.compare(staged(d, image.length), image)).toBe(0);
    client.close();
    await link.close();
  });

  it('drops what overflows the device buffers when the client overfills the window, and recovers by rewinding', async () => {
    const d = device({ bufSize: 1024, bufCount: 1, processingMs: 2 });
    const image = makeImage(20_000, 10);
    const client = new SmpClient(d.connect(), { timeoutMs: 100 });
    const stats = await uploadImage(client, image, { bufSize: 1024, bufCount: 1, window: 3 });
    expect(d.dropped.filter((r) => r === 'no free receive buffer').length).toBeGreaterThan(0);
    expect(stats.rewinds).toBeGreaterThan(0);
    expect(Buffer.compare(staged(d, image.length), image)).toBe(0);
    client.close();
  });

  it('resumes after the device resets mid-upload: it restarts from the offset the device reports (0)', async () => {
    const d = device();
    const image = makeImage(30_000, 12);
    const link = new FaultyTransport(d.connect(), {
      faults: [{ kind: 'reset', direction: 'to-device', at: 10 }],
      resetDevice: () => d.reset(),
    });
    const client = new SmpClient(link, { timeoutMs: 100 });
    const acks: number[] = [];
    await uploadImage(client, image, {
      bufSize: 1024,
      bufCount: 2,
      onProgress: (a) => acks.push(a),
    });
    expect(acks.some((a, i) => i > 0 && a < acks[i - 1]!)).toBe(true);
    expect(Buffer.compare(staged(d, image.length), image)).toBe(0);
    client.close();
    await link.close();
  });
});
