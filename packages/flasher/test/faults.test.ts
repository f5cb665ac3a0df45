/**
 * The fault matrix: every fault kind, in each direction, at every frame position of a whole flash
 * (parameters, status, upload chunks, signature, verify, and with --boot mark/reset/confirm).
 * Each run must end in a device-verified slot or a clear FlasherError, within a deadline.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ResultCode } from '@fwsign/protocol';
import {
  FaultyTransport,
  FlasherError,
  flashImage,
  MockDevice,
  type Fault,
  type FaultDirection,
  type FaultKind,
  type FlashResult,
} from '../src/index.js';
import { anchorTable, CERTFILE, ecKey, makeImage, signEc, within } from './helpers.js';

const key = ecKey();
const table = anchorTable(key);
const image = makeImage(12_000, 11);
const signature = signEc(key, image);
const devices: MockDevice[] = [];
afterAll(() => devices.forEach((d) => d.stop()));

const CLEAR_CODES = new Set([
  'Timeout',
  'UploadFailed',
  'NotVerified',
  'BootUnconfirmed',
  'DeviceError',
  'ProtocolError',
]);

interface Outcome {
  fault: Fault;
  result?: FlashResult;
  error?: FlasherError;
  fired: boolean;
}

async function runWithFault(
  fault: Fault,
  boot: boolean,
  sig: Uint8Array = signature,
): Promise<Outcome> {
  const device = new MockDevice({
    trustAnchorTable: table,
    slotSize: 64 * 1024,
    bufSize: 1024,
    bufCount: 2,
    resetDelayMs: 10,
  });
  devices.push(device);
  const link = new FaultyTransport(device.connect(), {
    faults: [fault],
    resetDevice: () => device.reset(),
  });
  try {
    const result = await within(
      20_000,
      flashImage({
        transport: link,
        image,
        signature: sig,
        alg: 'sig-sha256-ecdsa',
        certfile: CERTFILE,
        boot,
        timeoutMs: 250,
        firstChunkTimeoutMs: 400,
        bootTimeoutMs: 3000,
        client: { retries: 3 },
      }),
      `flash with ${JSON.stringify(fault)}`,
    );
    // Success is only ever what the device itself holds.
    expect(result.verified).toBe(true);
    expect(result.fwv).toBe(ResultCode.OK);
    expect(Buffer.compare(device.state.staging.data.subarray(0, image.length), image)).toBe(0);
    if (boot)
      expect(Buffer.compare(device.state.active.data.subarray(0, image.length), image)).toBe(0);
    else expect(device.state.verified).toBe(true);
    return { fault, result, fired: link.fired.length > 0 };
  } catch (err) {
    if (!(err instanceof FlasherError)) throw err;
    expect(CLEAR_CODES.has(err.code), `${err.code}: ${err.message}`).toBe(true);
    expect(err.message.length).toBeGreaterThan(10);
    return { fault, error: err, fired: link.fired.length > 0 };
  } finally {
    await link.close();
    device.stop();
  }
}

const KINDS: FaultKind[] = ['drop', 'corrupt', 'duplicate', 'stall', 'reset'];
const DIRECTIONS: FaultDirection[] = ['to-device', 'to-host'];
// A 12 000-byte image at buf_size 1024 is 14 chunks; with parameters, status, signature and verify
// that is 18 frames each way, and --boot adds mark, reset and the confirming status.
const POSITIONS = Array.from({ length: 22 }, (_, i) => i);

describe('fault matrix through MockDevice', () => {
  for (const kind of KINDS) {
    for (const direction of DIRECTIONS) {
      it(`${kind} ${direction} at every frame: verified or a clear error, never a hang`, async () => {
        const outcomes: Outcome[] = [];
        for (const boot of [false, true]) {
          outcomes.push(
            ...(await Promise.all(
              POSITIONS.map((at) => runWithFault({ kind, direction, at, stallMs: 800 }, boot)),
            )),
          );
        }
        // The fault really happened in most runs (positions past the last frame of a run do not fire).
        expect(outcomes.filter((o) => o.fired).length).toBeGreaterThanOrEqual(36);
        const failed = outcomes.filter((o) => o.error);
        if (kind !== 'reset') {
          // One lost, damaged, repeated or delayed frame is always recovered from.
          expect(failed.map((o) => `${JSON.stringify(o.fault)}: ${o.error!.message}`)).toEqual([]);
        } else {
          // A reset loses the device's RAM (upload offset, signature, verified flag); the flow
          // re-uploads, hands the signature over again or re-verifies, so almost every run completes.
          expect(
            failed.map((o) => `${JSON.stringify(o.fault)}: ${o.error!.message}`).length,
          ).toBeLessThanOrEqual(2);
        }
      });
    }
  }

  it('never reports success for a slot the device refuses, whatever the fault', async () => {
    const wrong = signEc(ecKey(), image);
    const runs = KINDS.flatMap((kind) =>
      DIRECTIONS.flatMap((direction) =>
        POSITIONS.filter((at) => at % 3 === 0).map((at) => ({ kind, direction, at, stallMs: 800 })),
      ),
    );
    const outcomes = await Promise.all(
      runs.map((fault) =>
        runWithFault(fault, true, wrong).catch((err: unknown) => ({
          fault,
          error: err as FlasherError,
          fired: true,
        })),
      ),
    );
    for (const o of outcomes) {
      expect('result' in o && o.result, JSON.stringify(o.fault)).toBeFalsy();
      expect(o.error).toBeInstanceOf(FlasherError);
    }
    // Where the run got as far as verifying, the device's own refusal is what the error carries.
    expect(
      outcomes.filter(
        (o) => o.error?.code === 'NotVerified' && o.error.fwv === ResultCode.ERR_SIGNATURE,
      ).length,
    ).toBeGreaterThan(runs.length / 2);
  });
});
