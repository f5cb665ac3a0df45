/**
 * Power cuts at exact flash operations, on Renode (the STM32F4 port, slots in flash, the real
 * flash driver against Renode's flash controller). Renode's virtual time is deterministic, so one
 * counting run of "install v2 over v1" (upload, signature, verify, mark bootable) lists every
 * flash operation; then, for each cut point, a fresh machine starts from the flash as it was with
 * v1 installed, the same install runs and the machine is stopped just before that operation (an
 * erase, the first word of a write, the middle word of a write), its flash is saved, and a new
 * machine starts from that flash alone. A verified image must boot every time: v1 for every cut
 * in the upload, v1 or v2 in mark bootable.
 *
 * CI runs a deterministic half (every erase, every other write point, the first and the last);
 * FWSIGN_POWER_CUTS_FULL=1 runs every point.
 */
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import {
  DeviceSession,
  RENODE_MACHINE,
  RenodeBoard,
  cutPoints,
  type CutPoint,
} from '@fwsign/harness';
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

const FULL = process.env.FWSIGN_POWER_CUTS_FULL === '1';

/**
 * Every point, or (CI) every erase plus every other write point, the first and the last always
 * in: about half, since a cut costs two fresh machines (6-12 s on a loaded 2-core host).
 */
function choosePoints(points: CutPoint[], full: boolean): CutPoint[] {
  if (full) return points;
  let writes = 0;
  return points.filter(
    (p, i) => p.label.startsWith('erase') || writes++ % 2 === 0 || i === points.length - 1,
  );
}

describe.runIf(MACHINES.includes(RENODE_MACHINE))(
  'power cuts at exact flash operations (renode stm32f4_discovery)',
  () => {
    const firmware = firmwareFor(RENODE_MACHINE);
    scenario(
      `a cut before ${FULL ? 'every' : 'a spread of'} flash erase and write of upload and mark-bootable (mid-write included) leaves a verified image booting`,
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

        /** A fresh machine from `base`, in the verifier, counting flash operations (stopping before `pauseAt`). */
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
        const chosen = choosePoints(points, FULL);
        step(
          `${ops} flash operations, ${uploadOps} of them in the upload (${log.replace(/P+/g, (m) => `P×${m.length}`)}): ${points.length} cut points, running ${chosen.length}`,
        );

        const outcomes: string[] = [];
        for (const point of chosen) {
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
        step(`outcomes: ${outcomes.join(', ')}`);
        console.info(
          `power cuts on renode: ${chosen.length} of ${points.length} exact cut points exercised (${FULL ? 'full matrix' : 'every erase and every other write point; FWSIGN_POWER_CUTS_FULL=1 runs all'}); ${outcomes.join('; ')}`,
        );
        expect(outcomes).toHaveLength(chosen.length);
        expect(chosen.some((p) => p.op > uploadOps)).toBe(true);
      },
      { timeoutMs: FULL ? 3_600_000 : 900_000, board: boardFor(RENODE_MACHINE) },
    );
  },
);
