/**
 * Power cuts at exact flash operations, on Renode (the STM32F4 port, slots in flash, the real
 * flash driver against Renode's flash controller). Renode's virtual time is deterministic, so one
 * counting run of "install v2 over v1" (upload, signature, verify, mark bootable) lists every
 * flash operation; then, for each cut point, the machine is powered on from the flash as it was
 * with v1 installed, the same install runs and the machine is stopped just before that operation
 * (an erase, the first word of a write, the middle word of a write), and it is powered on again
 * from the flash the cut left (SRAM cleared, core and peripherals reset: RenodeBoard). A verified
 * image must boot every time: v1 for every cut in the upload, v1 or v2 in mark bootable. Every
 * point runs: a power cycle in place costs about a quarter of a new machine's
 * (scripts/bench/renode-cuts.ts), so the whole matrix takes about 3 minutes on a loaded 2-core host.
 */
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { DeviceSession, RENODE_MACHINE, RenodeBoard, cutPoints } from '@fwsign/harness';
import { CERTFILE, deviceSignature, enterVerifier, provisionAnchors } from './support/device.js';
import { jobDocumentForJob } from './support/job-document.js';
import { BANNER, MACHINES, boardFor, firmwareFor, scenario } from './support/scenario.js';

/** installStepwise with one request in flight: every run sends what the counting run sent, in order. */
async function install(
  session: DeviceSession,
  image: Uint8Array,
  sig: { signature: Uint8Array; alg: string; certfile: string },
) {
  await session.upload(image, { window: 1 });
  const signature = await session.signature(sig.signature, sig.alg, sig.certfile);
  const verify = await session.verify();
  const mark = await session.markBootable();
  return { signature, verify, mark };
}

describe.runIf(MACHINES.includes(RENODE_MACHINE))(
  'power cuts at exact flash operations (renode stm32f4_discovery)',
  () => {
    const firmware = firmwareFor(RENODE_MACHINE);
    scenario(
      `a cut before every flash erase and write of upload and mark-bootable (mid-write included) leaves a verified image booting`,
      async ({ board, fwsign, step }) => {
        const renode = board as RenodeBoard;
        const ec = await fwsign.importKey('ec', 'exact power cut signer');
        await fwsign.putProfile('E2E_ExactCut', 'AmazonFreeRTOS-Default', ec);
        const images = { 1: firmware.app(1), 2: firmware.app(2) } as const;
        const sig = async (v: 1 | 2) =>
          deviceSignature(
            await jobDocumentForJob(
              fwsign,
              await fwsign.sign(images[v], 'E2E_ExactCut', `app/v${v}.bin`),
              { filepath: '/ota/app.bin', certfile: CERTFILE },
            ),
          );
        const sigs = { 1: await sig(1), 2: await sig(2) };

        step('install v1, then keep the flash as every run starts from it');
        await renode.start({
          anchors: provisionAnchors([{ certificatePem: ec.certificatePem, certfile: CERTFILE }]),
        });
        await renode.uart.waitFor('serving SMP', { timeoutMs: 30_000 });
        let session = new DeviceSession(renode.transport(), { timeoutMs: 60_000 });
        const v1 = await install(session, images[1], sigs[1]);
        expect([v1.signature.fwv, v1.verify.fwv, v1.mark.fwv]).toEqual([0, 0, 0]);
        session.close();
        const base = join(renode.workDir, 'v1-installed.bin');
        await renode.saveFlash(base);

        /** Powered on from `base`, in the verifier, counting flash operations (stopping before `pauseAt`). */
        const fromBase = async (pauseAt: number) => {
          await renode.powerCut();
          renode.restoreFlash(base);
          const since = renode.uart.mark();
          await renode.start();
          await renode.uart.waitFor(BANNER(1), { since, timeoutMs: 30_000 });
          // The counting hooks run Python on every programmed word: give requests room.
          session = new DeviceSession(renode.transport(), { timeoutMs: 60_000 });
          await enterVerifier(renode, session);
          await renode.armFlashCut(pauseAt);
        };

        step('count the flash operations of installing v2 over v1');
        await fromBase(0);
        await session.upload(images[2], { window: 1 });
        const uploadOps = (await renode.flashCutState()).ops;
        expect(
          (await session.signature(sigs[2].signature, sigs[2].alg, sigs[2].certfile)).fwv,
        ).toBe(0);
        expect((await session.verify()).fwv).toBe(0);
        expect((await session.markBootable()).fwv).toBe(0);
        session.close();
        const { ops, log } = await renode.flashCutState();
        const points = cutPoints(log);
        step(
          `${ops} flash operations, ${uploadOps} of them in the upload (${log.replace(/P+/g, (m) => `P×${m.length}`)}): ${points.length} cut points`,
        );

        const outcomes: string[] = [];
        const t0 = performance.now();
        for (const point of points) {
          await fromBase(point.op);
          const run = install(session, images[2], sigs[2]).then(
            () => 'finished',
            () => 'cut',
          );
          expect(await renode.waitPaused(120_000), `cut point ${point.label} reached`).toBe(true);
          await renode.cutPaused();
          session.close();
          expect(await run).toBe('cut');
          const since = renode.uart.mark();
          await renode.start();
          const banner = await renode.uart.waitFor(/fwsign-demo-app v(\d)/, {
            since,
            timeoutMs: 30_000,
          });
          const booted = Number(banner.slice(-1));
          outcomes.push(`op ${point.op} (${point.label}) → v${booted}`);
          step(
            `cut before op ${point.op} (${point.op <= uploadOps ? 'upload' : 'mark bootable'}, ${point.label}): booted v${booted}`,
          );
          // The upload writes only the staging slot: v1 must boot. In mark bootable either may.
          if (point.op <= uploadOps) expect(booted, `cut in the upload at ${point.label}`).toBe(1);
          else expect([1, 2]).toContain(booted);
        }
        const perCut = (performance.now() - t0) / points.length;
        step(`outcomes: ${outcomes.join(', ')}`);
        console.info(
          `power cuts on renode: ${outcomes.length} of ${points.length} exact cut points exercised, ${(perCut / 1000).toFixed(2)} s per cut; ${outcomes.join('; ')}`,
        );
        expect(outcomes).toHaveLength(points.length);
        expect(points.some((p) => p.op > uploadOps)).toBe(true);
        expect(points.some((p) => p.label.endsWith('middle'))).toBe(true);
      },
      { timeoutMs: 1_200_000, board: boardFor(RENODE_MACHINE) },
    );
  },
);
