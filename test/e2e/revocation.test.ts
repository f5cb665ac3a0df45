/**
 * Revocation through the service: after a profile is revoked the service refuses to sign with it,
 * and the job-document step refuses a job whose signature or profile was revoked, so a revoked
 * image never reaches an OTA job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CERTFILE } from './support/device.js';
import { JobDocumentRefused, jobDocumentForJob } from './support/job-document.js';
import { firmware } from './support/scenario.js';
import { FwsignService } from './support/service.js';

let fwsign: FwsignService;
beforeAll(async () => {
  fwsign = await FwsignService.start();
});
afterAll(async () => {
  await fwsign?.dispose();
});

const opts = { filepath: '/ota/app.bin', certfile: CERTFILE };

describe('revocation', () => {
  it('a revoked signature: the job document builder refuses the job; other jobs still build', async () => {
    const ec = await fwsign.importKey('ec', 'revocation signer');
    await fwsign.putProfile('E2E_RevokeSig', 'AmazonFreeRTOS-Default', ec);
    const good = await fwsign.sign(firmware.app(1), 'E2E_RevokeSig');
    const leaked = await fwsign.sign(firmware.app(2), 'E2E_RevokeSig');
    expect((await jobDocumentForJob(fwsign, leaked, opts)).parsed.files[0]!.signatureKey).toBe(
      'sig-sha256-ecdsa',
    );
    await fwsign.revokeSignature(leaked.jobId, 'build machine compromised');
    const err = await jobDocumentForJob(fwsign, leaked, opts).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JobDocumentRefused);
    expect(err).toMatchObject({
      code: 'RevokedSignature',
      message: expect.stringContaining('build machine compromised'),
    });
    expect((await jobDocumentForJob(fwsign, good, opts)).parsed.files[0]!.filesize).toBe(
      firmware.app(1).length,
    );
  });

  it('a revoked profile: the service refuses to sign with it and the job document builder refuses its old jobs', async () => {
    const ec = await fwsign.importKey('ec', 'revoked profile signer');
    await fwsign.putProfile('E2E_RevokeProfile', 'AmazonFreeRTOS-Default', ec);
    const before = await fwsign.sign(firmware.app(1), 'E2E_RevokeProfile', 'app/before.bin');
    await fwsign.revokeProfile('E2E_RevokeProfile', 'key rotated');
    const refused = await fwsign.sign(firmware.app(2), 'E2E_RevokeProfile', 'app/after.bin').then(
      () => undefined,
      (e: unknown) => e as { name: string; message: string },
    );
    expect(refused, 'StartSigningJob with a revoked profile must fail').toBeDefined();
    expect(refused!.name).toMatch(
      /ValidationException|AccessDeniedException|ResourceNotFoundException/,
    );
    expect(refused!.message).toMatch(/revoked|E2E_RevokeProfile/i);
    const err = await jobDocumentForJob(fwsign, before, opts).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'RevokedProfile',
      message: expect.stringContaining('E2E_RevokeProfile'),
    });
  });
});
