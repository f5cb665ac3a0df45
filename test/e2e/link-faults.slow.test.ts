/**
 * A bad cable at 115200 baud: frames dropped, corrupted, duplicated or stalled in either direction,
 * and device resets, at seeded random frames, under the flasher's own flash flow (flashImage). Each
 * run ends in a verified slot or a clear error;
 * a run that reports success is checked against the device's own status: never a false success.
 */
import { createHash } from 'node:crypto';
import { describe, expect } from 'vitest';
import { FlasherError, flashImage, type Fault, type FaultKind } from '@fwsign/flasher';
import { DeviceSession } from '@fwsign/harness';
import { CERTFILE, deviceSignature, provisionAnchors } from './support/device.js';
import { jobDocumentForJob } from './support/job-document.js';
import { seedFromEnv, seededRandom } from '@fwsign/test-support';
import { PER_EMULATOR, boardFor, firmwareFor, scenario } from './support/scenario.js';

const RUNS = Number(process.env.FWSIGN_FAULT_RUNS ?? 12);
const KINDS: FaultKind[] = ['drop', 'corrupt', 'duplicate', 'stall', 'reset'];
/** Endings a user can act on; anything else (a TypeError, a hang) fails the test. */
const CLEAR = new Set([
  'Timeout',
  'UploadFailed',
  'DeviceError',
  'ProtocolError',
  'NotSupported',
  'TransportClosed',
  'NotVerified',
]);

for (const machine of PER_EMULATOR) {
  const firmware = firmwareFor(machine);
  describe(`link faults at 115200 baud (${machine})`, () => {
    scenario(
      `${RUNS} runs with random faults: verified or a clear error, never a false success`,
      async ({ board, link, fwsign, step }) => {
        const seed = seedFromEnv();
        const random = seededRandom(seed);
        step(`seed ${seed} (replay with FWSIGN_SEED=${seed})`);
        const ec = await fwsign.importKey('ec', 'link fault signer');
        await fwsign.putProfile('E2E_Faults', 'AmazonFreeRTOS-Default', ec);
        const image = firmware.app(2);
        const sha = createHash('sha256').update(image).digest('hex');
        const sig = deviceSignature(
          await jobDocumentForJob(fwsign, await fwsign.sign(image, 'E2E_Faults'), {
            filepath: '/ota/app.bin',
            certfile: CERTFILE,
          }),
        );
        await board.start({
          anchors: provisionAnchors([{ certificatePem: ec.certificatePem, certfile: CERTFILE }]),
        });
        await board.uart.waitFor('serving SMP', { timeoutMs: 15_000 });
        const tally = { verified: 0, failed: 0, faults: 0 };

        for (let run = 0; run < RUNS; run++) {
          const faults: Fault[] = [];
          const n = 1 + Math.floor(random() * 3);
          for (let k = 0; k < n; k++) {
            faults.push({
              kind: KINDS[Math.floor(random() * KINDS.length)]!,
              direction: random() < 0.5 ? 'to-device' : 'to-host',
              at: Math.floor(random() * 8),
              stallMs: 500 + Math.floor(random() * 2500),
            });
          }
          const l = link({ baud: 115200, faults });
          let outcome: string;
          try {
            // The real flash flow (`fwsign flash` without --boot): params, status, upload, signature, verify.
            // The verifier erases sector by sector as data arrives, so the first chunk needs no MCUboot-style 30 s.
            const result = await flashImage({
              transport: l.transport,
              image,
              ...sig,
              timeoutMs: 1500,
              firstChunkTimeoutMs: 3000,
              client: { retries: 2 },
            });
            expect(result).toMatchObject({ verified: true, fwv: 0, imageSha256: sha });
            // Claimed success: the device's own status (over a clean link) must agree.
            const clean = new DeviceSession(board.transport());
            const st = await clean.status();
            clean.close();
            expect(
              st.staging,
              `run ${run}: success claimed with faults ${JSON.stringify(faults)}`,
            ).toMatchObject({ state: 'verified', len: image.length, sha256: sha });
            tally.verified++;
            outcome = 'verified';
          } catch (err) {
            if (!(err instanceof FlasherError) || !CLEAR.has(err.code)) throw err;
            expect(err.message.length).toBeGreaterThan(10);
            tally.failed++;
            outcome = `${err.code}: ${err.message.slice(0, 80)}`;
          } finally {
            await l.transport.close();
          }
          tally.faults += l.faulty?.fired.length ?? 0;
          step(
            `run ${run + 1}: ${faults.map((f) => `${f.kind}/${f.direction}@${f.at}`).join(' ')} → ${outcome}`,
          );
          // A reset fault may leave the board rebooting: wait for the verifier before the next run.
          if (faults.some((f) => f.kind === 'reset'))
            await board.uart.waitFor('serving SMP', {
              since: Math.max(0, board.uart.mark() - 200),
              timeoutMs: 15_000,
            });
        }
        step(`tally: ${JSON.stringify(tally)}`);
        expect(tally.verified + tally.failed).toBe(RUNS);
        expect(tally.faults).toBeGreaterThan(0);
        // Most faults are recoverable by retries: a flasher that never succeeds is broken, not careful.
        expect(tally.verified).toBeGreaterThanOrEqual(Math.ceil(RUNS / 2));
      },
      { timeoutMs: 600_000, board: boardFor(machine) },
    );

    scenario(
      'an upload cut off on the link resumes where the device stopped, then verifies',
      async ({ board, link, fwsign, transcript, step }) => {
        const ec = await fwsign.importKey('ec', 'resume signer');
        await fwsign.putProfile('E2E_Resume', 'AmazonFreeRTOS-Default', ec);
        const image = firmware.app(2);
        const sig = deviceSignature(
          await jobDocumentForJob(fwsign, await fwsign.sign(image, 'E2E_Resume'), {
            filepath: '/ota/app.bin',
            certfile: CERTFILE,
          }),
        );
        await board.start({
          anchors: provisionAnchors([{ certificatePem: ec.certificatePem, certfile: CERTFILE }]),
        });
        const cable = link({ baud: 115200 });
        const first = new DeviceSession(cable.transport, { timeoutMs: 1500 });
        await first.sync();
        step('start the upload at 115200 baud and drop the link after the device has taken 1 KiB');
        let acked = 0;
        const cut = first
          .upload(image, {
            window: 1,
            onProgress: (a) => {
              acked = a;
              if (a >= 1024) {
                first.close();
                void cable.transport.close();
              }
            },
          })
          .then(
            () => 'finished',
            (e: Error) => e.message,
          );
        expect(await cut).toMatch(/closed/i);
        expect(acked).toBeGreaterThanOrEqual(1024);
        expect(acked).toBeLessThan(image.length);
        step(`link dropped after ${acked} bytes; a new flasher session uploads the same image`);
        const mark = transcript.lines.length;
        const second = new DeviceSession(link({ baud: 115200 }).transport, { timeoutMs: 1500 });
        await second.upload(image);
        // The device answered the new first chunk (off 0, same len and sha) with the offset it had reached.
        const firstAnswer = transcript.lines
          .slice(mark)
          .find((l) => / < write-rsp group 1 id 1 /.test(l));
        expect(Number(/"off":(\d+)/.exec(firstAnswer ?? '')?.[1])).toBeGreaterThanOrEqual(acked);
        expect((await second.signature(sig.signature, sig.alg, sig.certfile)).fwv).toBe(0);
        expect(await second.verify()).toMatchObject({ fwv: 0, name: 'FWV_OK' });
        second.close();
      },
      { board: boardFor(machine) },
    );
  });
}
