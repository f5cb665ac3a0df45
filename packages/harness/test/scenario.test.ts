/**
 * The scenario API on the emulated board: a scenario through the flasher's throttle and fault
 * decorators, and the failure report (UART log + transcript) a failing scenario produces.
 */
import { describe, expect, it } from 'vitest';
import { flashImage } from '@fwsign/flasher';
import { DeviceSession, locateFirmware, runScenario } from '../src/index.js';
import { scenario } from '../src/vitest.js';
import { CERTFILE, ecKey } from './keys.js';

const firmware = locateFirmware('mps2-an386');
const keyFixture = { key: async () => ecKey() };

describe('scenario API', () => {
  scenario(
    'tampered image is refused over a 115200-baud link and the device says why',
    async ({ board, device, step }) => {
      const key = ecKey();
      try {
        await board.start({ anchors: key.anchors });
        const s = device({ baud: 115200 });
        await s.sync();
        const image = firmware.app(1);
        const tampered = image.slice();
        tampered[tampered.length >> 1]! ^= 1;
        step("upload a tampered v1 with v1's signature");
        await s.upload(tampered);
        expect((await s.signature(key.sign(image), 'sig-sha256-ecdsa', CERTFILE)).fwv).toBe(0);
        expect(await s.verify()).toMatchObject({ fwv: 1, name: 'FWV_ERR_SIGNATURE' });
        expect(await s.markBootable()).toMatchObject({ fwv: 14, name: 'FWV_ERR_NOT_VERIFIED' });
      } finally {
        key.dispose();
      }
    },
  );

  scenario(
    'a dropped and a corrupted frame on the link cost retries, not the upload',
    async ({ board, link }) => {
      const key = ecKey();
      try {
        await board.start({ anchors: key.anchors });
        await board.uart.waitFor('serving SMP', { timeoutMs: 10_000 });
        const l = link({
          baud: 115200,
          faults: [
            { kind: 'drop', direction: 'to-device', at: 3 },
            { kind: 'corrupt', direction: 'to-host', at: 4 },
          ],
        });
        const image = firmware.app(2);
        const mark = board.uart.mark();
        const s = new DeviceSession(l.transport, { timeoutMs: 1500 });
        const stats = await s.upload(image);
        expect(stats.bytes).toBe(image.length);
        expect(l.faulty!.fired.map((f) => f.kind).sort()).toEqual(['corrupt', 'drop']);
        expect((await s.signature(key.sign(image), 'sig-sha256-ecdsa', CERTFILE)).fwv).toBe(0);
        expect((await s.verify()).fwv).toBe(0);
        expect((await s.markBootable()).fwv).toBe(0);
        await s.reset();
        await board.uart.waitFor('fwsign-demo-app v2', { since: mark, timeoutMs: 10_000 });
        s.close();
      } finally {
        key.dispose();
      }
    },
  );

  it("a failing scenario reports its steps, the board's UART log and the flasher transcript", async () => {
    const run = runScenario(
      'expects a banner that never comes',
      keyFixture,
      async ({ board, link, key, step }) => {
        await board.start({ anchors: key.anchors });
        step('flash with the flasher, then wait for a v9 banner');
        const image = firmware.app(1);
        await flashImage({
          transport: link().transport,
          image,
          signature: key.sign(image),
          alg: 'sig-sha256-ecdsa',
          certfile: CERTFILE,
          timeoutMs: 2000,
        }).catch(() => undefined);
        await board.uart.waitFor('fwsign-demo-app v9', { timeoutMs: 300 });
      },
    );
    const err = await run.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const msg = err!.message;
    expect(msg).toContain(
      'scenario "expects a banner that never comes" failed: UART: expected fwsign-demo-app v9',
    );
    expect(msg).toContain('flash with the flasher, then wait for a v9 banner');
    expect(msg).toMatch(/UART log ---\nfwsign-verifier: FWV_ERR_NO_IMAGE, serving SMP/);
    expect(msg).toMatch(/> read group 0 id 6 seq \d+ \{\}/);
    expect(msg).toMatch(/< read-rsp group 0 id 6 seq \d+ \{"buf_size":1024,"buf_count":2/);
  }, 60_000);
});
