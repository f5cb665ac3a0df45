/**
 * Power cuts in the boots of test, confirm and revert on the emulated boards: v1 installed for good,
 * v2 uploaded and marked for test (image state write, as mcumgr's `image test`), then a reset cut
 * at a random instant of the boot that swaps v2 in, or of the boot after it, which reverts the
 * unconfirmed v2. After each cut two boots follow; every one starts a verified image, v2 runs in at
 * most one boot (the cut one included) and the last is v1. A cut is the emulator paused at an
 * arbitrary instruction, the slots (QEMU) or the flash (Renode) kept for the next start; the cut at every
 * single flash operation of swap, revert and confirm is the host test
 * firmware-verifier/test/device_revert_test.c.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { writeImageState } from '@fwsign/flasher';
import { createBoard, DeviceSession, type Board } from '@fwsign/harness';
import { ecKey, CERTFILE } from '../../packages/harness/test/keys.js';
import { enterVerifier, resetInto } from './support/device.js';
import { seedFromEnv, seededRandom } from '@fwsign/test-support';
import { preciseDelay } from './support/delay.js';
import { BANNER, MACHINES, boardFor, firmwareFor } from './support/scenario.js';

const POINTS = Number(process.env.FWSIGN_POWER_CUTS_REVERT ?? 8);
const APP = /fwsign-demo-app v(\d)/;

for (const machine of MACHINES) {
  describe(`power cuts in test boot and revert (${machine})`, () => {
    let board: Board | undefined;
    afterEach(async () => {
      await board?.stop();
      board = undefined;
    });

    it(`${POINTS} cuts in the boot that swaps a tested image in and in the one that reverts it: a verified image boots every time, the unconfirmed one never twice`, async () => {
      const seed = seedFromEnv();
      const random = seededRandom(seed);
      const firmware = firmwareFor(machine);
      const key = ecKey(CERTFILE);
      const [v1, v2] = [firmware.app(1), firmware.app(2)];
      const b = createBoard(boardFor(machine));
      board = b;
      await b.start({ anchors: key.anchors });
      await b.uart.waitFor('serving SMP', { timeoutMs: 15_000 });
      let session = new DeviceSession(b.transport());
      await session.upload(v1);
      await session.signature(key.sign(v1), 'sig-sha256-ecdsa', CERTFILE);
      expect((await session.verify()).fwv).toBe(0);
      expect((await session.markBootable()).fwv).toBe(0);
      await resetInto(b, session, BANNER(1));

      /** From v1 running: back in the verifier, v2 uploaded with its signature and marked for test. */
      const testV2 = async (): Promise<void> => {
        await enterVerifier(b, session);
        await session.upload(v2);
        await session.signature(key.sign(v2), 'sig-sha256-ecdsa', CERTFILE);
        const hash = new Uint8Array(createHash('sha256').update(v2).digest());
        const slots = await writeImageState(session.client, hash, false);
        expect(slots.find((s) => s.slot === 1)?.pending).toBe(true);
      };
      /** The banner's version of the next boot after `since`. */
      const booted = async (since: number): Promise<number> =>
        Number((await b.uart.waitFor(APP, { since, timeoutMs: 20_000 })).slice(-1));

      // How long each boot takes, so that the cut instants span it.
      await testV2();
      let t = performance.now();
      await resetInto(b, session, BANNER(2));
      const swapMs = performance.now() - t;
      t = performance.now();
      await resetInto(b, session, BANNER(1));
      const revertMs = performance.now() - t;

      const outcomes: string[] = [];
      for (let i = 0; i < POINTS; i++) {
        const phase = i % 2 === 0 ? 'swap' : 'revert';
        await testV2();
        if (phase === 'revert') await resetInto(b, session, BANNER(2)); // v2 on trial
        const delay = random() * (phase === 'swap' ? swapMs : revertMs);
        const since = b.uart.mark();
        await session.reset();
        await preciseDelay(delay);
        await b.powerCut();
        session.close();
        // A banner counts when the verifier's boot line precedes it: the line of the boot before
        // may still be completing when the mark is taken.
        const text = b.uart.textSince(since);
        const line = text.indexOf('booting sha256');
        const cut = line < 0 ? null : APP.exec(text.slice(line));
        const boots = [cut ? Number(cut[1]) : 0];
        let mark = b.uart.mark();
        await b.start();
        boots.push(await booted(mark));
        session = new DeviceSession(b.transport());
        await session.sync();
        mark = b.uart.mark();
        await session.reset();
        boots.push(await booted(mark));
        outcomes.push(`${phase}@${delay.toFixed(2)}ms→${boots.map((v) => `v${v}`).join(',')}`);
        expect(
          boots.filter((v) => v === 2).length,
          `cut in the ${phase} at ${delay.toFixed(2)} ms (seed ${seed}): boots ${boots.join(', ')}`,
        ).toBeLessThanOrEqual(phase === 'swap' ? 1 : 0);
        expect(boots[2], `the last boot after a cut in the ${phase} (seed ${seed})`).toBe(1);
      }
      console.info(
        `power cuts in test boot / revert (${machine}, seed ${seed}; replay with FWSIGN_SEED): ${outcomes.join('; ')}`,
      );
      expect(outcomes).toHaveLength(POINTS);
      key.dispose();
    }, 600_000);
  });
}
