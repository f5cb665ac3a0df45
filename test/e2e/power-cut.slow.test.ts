/**
 * Power cuts at random instants of an upload and of the mark-bootable step (24 points, seeded):
 * after each, the board boots a verified image, the old or the new, never nothing; then the
 * upload is run again to the end and the new image boots. A power cut here is the emulator paused
 * at an arbitrary instruction: on QEMU its slot memory saved and the process killed with SIGKILL,
 * on Renode the machine powered on again from its flash (RenodeBoard).
 */
import { describe, expect } from 'vitest';
import {
  CERTFILE,
  deviceSignature,
  enterVerifier,
  installStepwise,
  provisionAnchors,
  resetInto,
} from './support/device.js';
import { jobDocumentForJob } from './support/job-document.js';
import { seedFromEnv, seededRandom } from '@fwsign/test-support';
import { preciseDelay } from './support/delay.js';
import { BANNER, MACHINES, boardFor, firmwareFor, scenario } from './support/scenario.js';

const POINTS = Number(process.env.FWSIGN_POWER_CUTS ?? 24);

// On Renode the cuts also run at exact flash operations (power-cut-exact.slow.test.ts).
for (const machine of MACHINES) {
  const firmware = firmwareFor(machine);
  describe(`power cuts (${machine})`, () => {
    scenario(
      `${POINTS} power cuts during upload and mark-bootable leave a verified image booting`,
      async ({ board, device, fwsign, step }) => {
        const seed = seedFromEnv();
        const random = seededRandom(seed);
        step(`seed ${seed} (replay with FWSIGN_SEED=${seed})`);
        const ec = await fwsign.importKey('ec', 'power cut signer');
        await fwsign.putProfile('E2E_PowerCut', 'AmazonFreeRTOS-Default', ec);
        const images = { 1: firmware.app(1), 2: firmware.app(2) } as const;
        const sigs = {
          1: deviceSignature(
            await jobDocumentForJob(
              fwsign,
              await fwsign.sign(images[1], 'E2E_PowerCut', 'app/v1.bin'),
              { filepath: '/ota/app.bin', certfile: CERTFILE },
            ),
          ),
          2: deviceSignature(
            await jobDocumentForJob(
              fwsign,
              await fwsign.sign(images[2], 'E2E_PowerCut', 'app/v2.bin'),
              { filepath: '/ota/app.bin', certfile: CERTFILE },
            ),
          ),
        };
        await board.start({
          anchors: provisionAnchors([{ certificatePem: ec.certificatePem, certfile: CERTFILE }]),
        });
        await board.uart.waitFor('serving SMP', { timeoutMs: 15_000 });
        let session = device();
        // v1 installed; its install times the upload and the mark step, so cut instants span them.
        let t = performance.now();
        await session.upload(images[1]);
        const uploadMs = performance.now() - t;
        await session.signature(sigs[1].signature, sigs[1].alg, sigs[1].certfile);
        expect((await session.verify()).fwv).toBe(0);
        t = performance.now();
        expect((await session.markBootable()).fwv).toBe(0);
        const markMs = performance.now() - t;
        await resetInto(board, session, BANNER(1));
        let running: 1 | 2 = 1;
        const outcomes: string[] = [];

        for (let i = 0; i < POINTS; i++) {
          const target: 1 | 2 = running === 1 ? 2 : 1;
          const phase = i % 2 === 0 ? 'upload' : 'mark-bootable';
          await enterVerifier(board, session);
          let delay: number;
          if (phase === 'upload') {
            delay = random() * uploadMs;
            const upload = session.upload(images[target]).then(
              () => 'done',
              () => 'cut',
            );
            await preciseDelay(delay);
            await board.powerCut();
            // The host gives up on the request in flight: a QEMU cut closes the link with the
            // process, but Renode's terminal stays up (the USB adapter keeps power) and the
            // request would wait out its timeout.
            session.close();
            await upload;
          } else {
            await session.upload(images[target]);
            await session.signature(
              sigs[target].signature,
              sigs[target].alg,
              sigs[target].certfile,
            );
            expect((await session.verify()).fwv).toBe(0);
            delay = random() * markMs * 1.5;
            const mark = session.markBootable({ retries: 0 }).then(
              () => 'done',
              () => 'cut',
            );
            await preciseDelay(delay);
            await board.powerCut();
            session.close();
            await mark;
          }
          const since = board.uart.mark();
          await board.start();
          const banner = await board.uart.waitFor(/fwsign-demo-app v(\d)/, {
            since,
            timeoutMs: 20_000,
          });
          const booted = Number(banner.slice(-1)) as 1 | 2;
          outcomes.push(`${phase}@${delay.toFixed(2)}ms→v${booted}`);
          step(`cut ${i + 1}: ${phase} at ${delay.toFixed(2)} ms, booted v${booted}`);
          // During the upload the active slot is never touched: the old image must boot.
          if (phase === 'upload') expect(booted, `cut ${i + 1} during the upload`).toBe(running);
          else expect([running, target]).toContain(booted);
          running = booted;
          session = device();
          if (booted !== target) {
            // The flasher finishes the job after the power comes back.
            await enterVerifier(board, session);
            const r = await installStepwise(session, images[target], sigs[target]);
            expect([r.verify.fwv, r.mark.fwv]).toEqual([0, 0]);
            await resetInto(board, session, BANNER(target));
            running = target;
          }
        }
        step(`outcomes: ${outcomes.join(', ')}`);
        expect(outcomes).toHaveLength(POINTS);
        expect(outcomes.filter((o) => o.startsWith('mark')).length).toBeGreaterThanOrEqual(
          POINTS / 2,
        );
      },
      { timeoutMs: 600_000, board: boardFor(machine) },
    );
  });
}
