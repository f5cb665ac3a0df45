/**
 * The whole chain for a good image, on the emulated board: fwsign serve, ACM import, profiles for
 * AmazonFreeRTOS-Default (ECDSA P-256) and AmazonFreeRTOS-TI-CC3220SF (RSA / SHA-1), upload to a
 * versioned bucket, StartSigningJob, download, OTA job document, trust anchors provisioned from
 * the certificates, flash with the flasher, the device's verdict, reset, the new banner.
 */
import { createHash } from 'node:crypto';
import { describe, expect } from 'vitest';
import {
  CERTFILE,
  RSA_CERTFILE,
  bootVerified,
  enterVerifier,
  flashWithFlasher,
  provisionAnchors,
} from './support/device.js';
import { jobDocumentForJob } from './support/job-document.js';
import { BANNER, MACHINES, boardFor, firmwareFor, scenario } from './support/scenario.js';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

for (const machine of MACHINES) {
  const firmware = firmwareFor(machine);
  describe(`good image, end to end (${machine})`, () => {
    scenario(
      'signed by the service, verified by the device, boots with the new banner (both platforms)',
      async ({ board, link, device, fwsign, step }) => {
        step('import two code-signing keys through ACM and put one profile per platform');
        const ec = await fwsign.importKey('ec', 'fwsign e2e ecdsa');
        const rsa = await fwsign.importKey('rsa', 'fwsign e2e rsa');
        await fwsign.putProfile('E2E_Default', 'AmazonFreeRTOS-Default', ec);
        await fwsign.putProfile('E2E_CC3220', 'AmazonFreeRTOS-TI-CC3220SF', rsa);

        step(
          'sign app v1 (ECDSA) and app v2 (RSA / SHA-1) with signing jobs; build their job documents',
        );
        const v1 = firmware.app(1);
        const v2 = firmware.app(2);
        const job1 = await fwsign.sign(v1, 'E2E_Default');
        const job2 = await fwsign.sign(v2, 'E2E_CC3220', 'app/firmware-cc3220.bin');
        expect(job1.signedObject).toMatchObject({
          signatureAlgorithm: 'SHA256withECDSA',
          rawPayloadSize: v1.length,
        });
        expect(job2.signedObject).toMatchObject({
          signatureAlgorithm: 'SHA1withRSA',
          rawPayloadSize: v2.length,
        });
        const doc1 = await jobDocumentForJob(fwsign, job1, {
          filepath: '/ota/app.bin',
          certfile: CERTFILE,
        });
        const doc2 = await jobDocumentForJob(fwsign, job2, {
          filepath: '/ota/app.bin',
          certfile: RSA_CERTFILE,
        });
        expect(doc1.parsed.files[0]).toMatchObject({
          signatureKey: 'sig-sha256-ecdsa',
          certfile: CERTFILE,
          filesize: v1.length,
        });
        expect(doc2.parsed.files[0]).toMatchObject({
          signatureKey: 'sig-sha1-rsa',
          certfile: RSA_CERTFILE,
          filesize: v2.length,
        });

        step('provision the board with trust anchors from both certificates and boot it');
        await board.start({
          anchors: provisionAnchors([
            { certificatePem: ec.certificatePem, certfile: CERTFILE },
            { certificatePem: rsa.certificatePem, certfile: RSA_CERTFILE },
          ]),
        });
        await board.uart.waitFor('FWV_ERR_NO_IMAGE, serving SMP', { timeoutMs: 15_000 });

        step(
          'flash v1 with the flasher and --boot: verified, marked, reset, the verifier names v1 as it boots it',
        );
        const l = link();
        const session = device();
        const before1 = board.uart.mark();
        const r1 = await flashWithFlasher(l.transport, v1, doc1, {
          boot: true,
          timeoutMs: board.linkTimeoutMs,
        });
        expect(r1).toMatchObject({
          verified: true,
          fwv: 0,
          text: 'verified',
          booted: true,
          imageSha256: sha256(v1),
        });
        await board.uart.waitFor(`fwsign-verifier: FWV_OK, booting sha256 ${sha256(v1)}`, {
          since: before1,
          timeoutMs: 15_000,
        });
        await board.uart.waitFor(BANNER(1), { since: before1, timeoutMs: 15_000 });

        step('flash v2 (CC3220SF profile): reset the running v1 into the verifier first');
        await enterVerifier(board, session);
        const r2 = await flashWithFlasher(l.transport, v2, doc2, {
          timeoutMs: board.linkTimeoutMs,
        });
        expect(r2).toMatchObject({ verified: true, fwv: 0, booted: false });
        expect((await bootVerified(board, session, BANNER(2))).fwv).toBe(0);

        step('a plain reset boots v2 again');
        const mark = board.uart.mark();
        await board.reset();
        await board.uart.waitFor(BANNER(2), { since: mark, timeoutMs: 15_000 });
      },
      { board: boardFor(machine) },
    );
  });
}
