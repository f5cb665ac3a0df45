/**
 * Images the device must refuse, each through the whole chain (service-signed, job document,
 * anchors from the certificate): the device answers with the right result code, refuses to mark
 * the slot bootable, and the previous application still boots.
 */
import { createHash } from 'node:crypto';
import { describe, expect } from 'vitest';
import { ResultCode, SmpError } from '@fwsign/protocol';
import type { Board, DeviceSession } from '@fwsign/harness';
import {
  CERTFILE,
  deviceSignature,
  enterVerifier,
  installStepwise,
  provisionAnchors,
  resetInto,
} from './support/device.js';
import { jobDocumentForJob } from './support/job-document.js';
import { BANNER, MACHINES, boardFor, firmwareFor, scenario } from './support/scenario.js';
import type { Firmware } from '@fwsign/harness';
import type { FwsignService } from './support/service.js';

const OTHER_CERTFILE = '/certs/other-team.crt';

interface Installed {
  session: DeviceSession;
  fwsign: FwsignService;
  /** v2 signed by the provisioned key, and its job document's signature. */
  v2: Uint8Array;
  sig2: ReturnType<typeof deviceSignature>;
}

/** Signs v1 and v2, provisions the board, installs v1 and returns in the verifier, ready for a bad v2. */
async function withV1Installed(
  board: Board,
  device: () => DeviceSession,
  fwsign: FwsignService,
  firmware: Firmware,
): Promise<Installed> {
  const ec = await fwsign.importKey('ec', 'fwsign e2e device');
  await fwsign.putProfile('E2E_Default', 'AmazonFreeRTOS-Default', ec);
  const v1 = firmware.app(1);
  const v2 = firmware.app(2);
  const doc1 = await jobDocumentForJob(fwsign, await fwsign.sign(v1, 'E2E_Default'), {
    filepath: '/ota/app.bin',
    certfile: CERTFILE,
  });
  const doc2 = await jobDocumentForJob(fwsign, await fwsign.sign(v2, 'E2E_Default'), {
    filepath: '/ota/app.bin',
    certfile: CERTFILE,
  });
  await board.start({
    anchors: provisionAnchors([{ certificatePem: ec.certificatePem, certfile: CERTFILE }]),
  });
  const session = device();
  await session.sync(); // a pty may drop the first line: ask until the verifier answers
  const steps = await installStepwise(session, v1, deviceSignature(doc1));
  expect([steps.signature.fwv, steps.verify.fwv, steps.mark.fwv]).toEqual([0, 0, 0]);
  await resetInto(board, session, BANNER(1));
  await enterVerifier(board, session);
  return { session, fwsign, v2, sig2: deviceSignature(doc2) };
}

/** After a refusal: a reset still boots v1. */
async function v1StillBoots(board: Board, session: DeviceSession): Promise<void> {
  const mark = board.uart.mark();
  await session.reset();
  await board.uart.waitFor(BANNER(1), { since: mark, timeoutMs: 15_000 });
  expect(board.uart.textSince(mark)).not.toContain(BANNER(2));
}

for (const machine of MACHINES) {
  const firmware = firmwareFor(machine);
  const opts = { board: boardFor(machine) };
  describe(`images the device refuses (${machine})`, () => {
    scenario(
      'tampered payload: FWV_ERR_SIGNATURE, not bootable, v1 still boots',
      async ({ board, device, fwsign, step }) => {
        const { session, v2, sig2 } = await withV1Installed(board, device, fwsign, firmware);
        step("upload v2 with one byte of its code flipped, with v2's signature");
        const tampered = v2.slice();
        tampered[tampered.length >> 1]! ^= 0x01;
        const r = await installStepwise(session, tampered, sig2);
        expect(r.signature.fwv).toBe(ResultCode.OK);
        expect(r.verify).toMatchObject({
          fwv: ResultCode.ERR_SIGNATURE,
          name: 'FWV_ERR_SIGNATURE',
          text: 'signature does not match the image and key',
        });
        expect(r.mark).toMatchObject({
          fwv: ResultCode.ERR_NOT_VERIFIED,
          name: 'FWV_ERR_NOT_VERIFIED',
        });
        await v1StillBoots(board, session);
      },
      opts,
    );

    scenario(
      'tampered payload over the pseudo-terminal (the board as a serial port): FWV_ERR_SIGNATURE, v1 still boots',
      async ({ board, device, fwsign }) => {
        const { session, v2, sig2 } = await withV1Installed(board, device, fwsign, firmware);
        const tampered = v2.slice();
        tampered[100]! ^= 0x80;
        const r = await installStepwise(session, tampered, sig2);
        expect(r.verify).toMatchObject({
          fwv: ResultCode.ERR_SIGNATURE,
          name: 'FWV_ERR_SIGNATURE',
        });
        expect(r.mark.fwv).toBe(ResultCode.ERR_NOT_VERIFIED);
        await v1StillBoots(board, session);
      },
      { board: boardFor(machine, 'pty') },
    );

    scenario(
      'tampered signature: FWV_ERR_SIGNATURE, v1 still boots',
      async ({ board, device, fwsign }) => {
        const { session, v2, sig2 } = await withV1Installed(board, device, fwsign, firmware);
        const sig = sig2.signature.slice();
        sig[sig.length - 1]! ^= 0x01; // inside s: still strict DER, no longer the signature
        const r = await installStepwise(session, v2, { ...sig2, signature: sig });
        expect(r.verify).toMatchObject({
          fwv: ResultCode.ERR_SIGNATURE,
          name: 'FWV_ERR_SIGNATURE',
        });
        expect(r.mark.fwv).toBe(ResultCode.ERR_NOT_VERIFIED);
        await v1StillBoots(board, session);
      },
      opts,
    );

    scenario(
      "signed with another profile's key: FWV_ERR_SIGNATURE under our anchor, FWV_ERR_UNKNOWN_ANCHOR under its own name",
      async ({ board, device, fwsign, step }) => {
        const { session, v2 } = await withV1Installed(board, device, fwsign, firmware);
        step("a second team's key and profile sign v2; the board trusts only the first key");
        const other = await fwsign.importKey('ec', 'other team');
        await fwsign.putProfile('E2E_OtherTeam', 'AmazonFreeRTOS-Default', other);
        const job = await fwsign.sign(v2, 'E2E_OtherTeam', 'other/app.bin');
        const asOurs = deviceSignature(
          await jobDocumentForJob(fwsign, job, { filepath: '/ota/app.bin', certfile: CERTFILE }),
        );
        const r1 = await installStepwise(session, v2, asOurs);
        expect(r1.verify).toMatchObject({
          fwv: ResultCode.ERR_SIGNATURE,
          name: 'FWV_ERR_SIGNATURE',
        });
        const asTheirs = deviceSignature(
          await jobDocumentForJob(fwsign, job, {
            filepath: '/ota/app.bin',
            certfile: OTHER_CERTFILE,
          }),
        );
        const r2 = await installStepwise(session, v2, asTheirs);
        expect([r2.signature.fwv, r2.verify.fwv]).toContain(ResultCode.ERR_UNKNOWN_ANCHOR);
        expect(r2.mark.fwv).not.toBe(ResultCode.OK);
        await v1StillBoots(board, session);
      },
      opts,
    );

    scenario(
      'truncated upload: an unfinished upload is FWV_ERR_NO_IMAGE, a short image FWV_ERR_SIGNATURE; v1 still boots',
      async ({ board, device, fwsign, step }) => {
        const { session, v2, sig2 } = await withV1Installed(board, device, fwsign, firmware);
        step(
          'upload only the first 512 bytes of v2 (declaring its full length), then ask to verify',
        );
        const sha = new Uint8Array(createHash('sha256').update(v2).digest());
        const first = await session.uploadChunk({
          off: 0,
          data: v2.subarray(0, 512),
          len: v2.length,
          sha,
        });
        expect(first).toMatchObject({ rc: 0, off: 512 });
        await session.signature(sig2.signature, sig2.alg, sig2.certfile);
        const v = await session.verify();
        expect(v).toMatchObject({ fwv: ResultCode.ERR_NO_IMAGE, name: 'FWV_ERR_NO_IMAGE' });
        expect((await session.markBootable()).fwv).not.toBe(ResultCode.OK);
        step("upload v2 cut short by 100 bytes as if complete, with the full image's signature");
        const r = await installStepwise(session, v2.subarray(0, v2.length - 100), sig2);
        expect(r.verify.fwv).toBe(ResultCode.ERR_SIGNATURE);
        expect(r.mark.fwv).toBe(ResultCode.ERR_NOT_VERIFIED);
        await v1StillBoots(board, session);
      },
      opts,
    );

    scenario(
      'image over the slot size: the device refuses the upload as Zephyr does (IMG_MGMT_ERR_INVALID_IMAGE_TOO_LARGE); v1 still boots',
      async ({ board, device, fwsign }) => {
        const { session } = await withV1Installed(board, device, fwsign, firmware);
        const status = await session.status();
        const big = new Uint8Array(status.slotSize + 1);
        big.set(firmware.app(2));
        const r = await session.uploadChunk({
          off: 0,
          data: big.subarray(0, 256),
          len: big.length,
        });
        // an SMP v1 request: the image group's code translated to MGMT_ERR_EUNKNOWN, with a reason
        expect(r.rc).toBe(SmpError.EUNKNOWN);
        expect(r.body.rsn).toBe('image larger than the slot');
        expect((await session.verify()).fwv).not.toBe(ResultCode.OK);
        expect((await session.markBootable()).fwv).not.toBe(ResultCode.OK);
        await v1StillBoots(board, session);
      },
      opts,
    );
  });
}
