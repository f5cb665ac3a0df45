// RevokeSignature and profile revocation, SignPayload and the OTA payload version, other job shapes.
import { describe, expect, it } from 'vitest';
import { parseSignedObject } from '@fwsign/signing-engine';
import { ALICE, CAROL, expectStoreError } from './helpers.js';
import { firmware, jobInput, setup, srcVersion, store, useJobsStore } from './jobs-fixture.js';

useJobsStore();

describe('revocation', () => {
  it('RevokeSignature sets isRevoked and a revocationRecord; only the owner or a grantee may revoke', async () => {
    const { jobId } = await store.startSigningJob(ALICE, jobInput('t-revoke'));
    await expectStoreError(
      () => store.revokeSignature(ALICE, { jobId, reason: '' }),
      'ValidationException',
      /reason: expected 1-500 characters, got 0/,
    );
    await expectStoreError(
      () => store.revokeSignature(ALICE, { jobId, reason: 'x'.repeat(501) }),
      'ValidationException',
      /reason: expected 1-500 characters, got 501/,
    );
    await expectStoreError(
      () => store.revokeSignature(CAROL, { jobId, reason: 'nope' }),
      'AccessDeniedException',
      /signer:RevokeSignature/,
    );
    store.revokeSignature(ALICE, { jobId, reason: 'compromised build' });
    const d = store.describeSigningJob(ALICE, { jobId });
    expect(d.revocationRecord?.reason).toBe('compromised build');
    expect(d.revocationRecord?.revokedBy).toBe(ALICE.principalArn);
    expect(
      store
        .listSigningJobs(ALICE, { isRevoked: true })
        .jobs.some((j) => j.jobId === jobId && j.isRevoked),
    ).toBe(true);
    const rs = store.getRevocationStatus(ALICE, {
      signatureTimestamp: d.completedAt!,
      platformId: d.platformId,
      profileVersionArn: `${setup.profileArn}/${setup.profileVersion}`,
      jobArn: store.jobArn(ALICE, { jobId }),
      certificateHashes: [],
    });
    expect(rs.revokedEntities).toEqual([
      `arn:aws:signer:us-east-1:111111111111:/signing-jobs/${jobId}`,
    ]);
    await expectStoreError(
      () => store.revokeSignature(ALICE, { jobId: 'nope', reason: 'x' }),
      'ResourceNotFoundException',
      /signing job "nope" does not exist/,
    );
  });

  it('a revoked profile version makes signatures from the effective time on untrusted, not earlier ones', async () => {
    store.putSigningProfile(ALICE, {
      profileName: 'rev_profile',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn: setup.certificateArn },
    });
    const pv = store.getSigningProfile(ALICE, { profileName: 'rev_profile' });
    const early = await store.startSigningJob(
      ALICE,
      jobInput('t-early', { profileName: 'rev_profile' }),
    );
    await new Promise((r) => setTimeout(r, 20));
    const cut = new Date();
    await new Promise((r) => setTimeout(r, 20));
    const late = await store.startSigningJob(
      ALICE,
      jobInput('t-late', { profileName: 'rev_profile' }),
    );
    await new Promise((r) => setTimeout(r, 20));
    store.revokeSigningProfile(ALICE, {
      profileName: 'rev_profile',
      profileVersion: pv.profileVersion,
      reason: 'key leaked',
      effectiveTime: cut,
    });
    const revoked = store.listSigningJobs(ALICE, { isRevoked: true }).jobs.map((j) => j.jobId);
    expect(revoked).toContain(late.jobId);
    expect(revoked).not.toContain(early.jobId);
    expect(store.describeSigningJob(ALICE, { jobId: late.jobId }).revocationRecord?.reason).toBe(
      'Signing profile revoked: key leaked',
    );
    const status = (at: Date) =>
      store.getRevocationStatus(ALICE, {
        signatureTimestamp: at,
        platformId: 'AmazonFreeRTOS-Default',
        profileVersionArn: pv.profileVersionArn,
        jobArn: store.jobArn(ALICE, { jobId: early.jobId }),
        certificateHashes: [],
      }).revokedEntities;
    expect(status(new Date(cut.getTime() - 1))).toEqual([]);
    expect(status(cut)).toEqual([pv.profileVersionArn]);
  });
});

describe('SignPayload and the OTA payload version', () => {
  it('SignPayload refuses IoT profiles and payload formats other than the Notary payload', async () => {
    await expectStoreError(
      () =>
        store.signPayload(ALICE, {
          profileName: 'fw_profile',
          payload: firmware.subarray(0, 100),
          payloadFormat: 'application/octet-stream',
        }),
      'ValidationException',
      /payloadFormat: the single valid type is application\/vnd.cncf.notary.payload.v1\+json, got "application\/octet-stream"/,
    );
    await expectStoreError(
      () =>
        store.signPayload(ALICE, {
          profileName: 'fw_profile',
          payload: new TextEncoder().encode(
            '{"targetArtifact":{"mediaType":"m","digest":"d","size":1}}',
          ),
          payloadFormat: 'application/vnd.cncf.notary.payload.v1+json',
        }),
      'ValidationException',
      /signing profile fw_profile is for AmazonFreeRTOS-Default; SignPayload signs for Notation-OCI-SHA384-ECDSA profiles only/,
    );
    await expectStoreError(
      () =>
        store.signPayload(ALICE, {
          profileName: 'fw_profile',
          payload: new Uint8Array(0),
          payloadFormat: 'x',
        }),
      'ValidationException',
      /payload: expected non-empty bytes, got 0 bytes/,
    );
  });

  it('stores the raw payload as a newer version of the signed object key', async () => {
    const { jobId } = await store.startSigningJob(ALICE, jobInput('t-ota'));
    const r = store.storeOtaPayloadVersion(ALICE, { jobId });
    expect(r.key).toBe(`signed/${jobId}`);
    const versions = store.buckets.listObjectVersions(ALICE.accountId, 'dst-bucket', {
      prefix: r.key,
    }).versions;
    expect(versions.map((v) => v.versionId)).toEqual([r.versionId, r.signedObjectVersionId]);
    expect(versions[0]!.isLatest).toBe(true);
    expect(
      Buffer.from(store.buckets.getObject(ALICE.accountId, 'dst-bucket', r.key).body).equals(
        Buffer.from(firmware),
      ),
    ).toBe(true);
    const signed = store.buckets.getObject(
      ALICE.accountId,
      'dst-bucket',
      r.key,
      r.signedObjectVersionId,
    ).body;
    expect(parseSignedObject(signed).format).toBe('JSONEmbedded');
  });
});

describe('more job shapes', () => {
  it('JSONDetached platform: the signed object points at the source version; overrides and signingParameters are recorded', async () => {
    store.putSigningProfile(ALICE, {
      profileName: 'iotdm',
      platformId: 'AWSIoTDeviceManagement-SHA256-ECDSA',
      signingMaterial: { certificateArn: setup.certificateArn },
      overrides: { signingImageFormat: 'JSONDetached' },
      signingParameters: { certname: 'code_sign.pem' },
      signatureValidityPeriod: { value: 10, type: 'DAYS' },
    });
    const { jobId } = await store.startSigningJob(
      ALICE,
      jobInput('t-detached', { profileName: 'iotdm' }),
    );
    const d = store.describeSigningJob(ALICE, { jobId });
    expect(d.overrides).toEqual({ signingImageFormat: 'JSONDetached' });
    expect(d.signingParameters).toEqual({ certname: 'code_sign.pem' });
    expect(d.signatureExpiresAt).toBeUndefined();
    const parsed = parseSignedObject(
      store.buckets.getObject(ALICE.accountId, 'dst-bucket', `signed/${jobId}`).body,
    );
    expect(parsed.format).toBe('JSONDetached');
    expect(parsed.payloadLocation).toEqual({
      bucketName: 'src-bucket',
      key: 'fw/app.bin',
      version: srcVersion,
    });
    expect(parsed.rawPayloadSize).toBe(firmware.length);
  });

  it('refuses the OTA payload version on an unversioned destination, and bad GetRevocationStatus input', async () => {
    store.buckets.createBucket(ALICE.accountId, 'flat-dst');
    const { jobId } = await store.startSigningJob(
      ALICE,
      jobInput('t-flat', { destination: { s3: { bucketName: 'flat-dst' } } }),
    );
    await expectStoreError(
      () => store.storeOtaPayloadVersion(ALICE, { jobId }),
      'ValidationException',
      /destination bucket flat-dst must have versioning enabled/,
    );
    const base = {
      signatureTimestamp: new Date(),
      platformId: 'AmazonFreeRTOS-Default',
      profileVersionArn: `${setup.profileArn}/${setup.profileVersion}`,
      jobArn: store.jobArn(ALICE, { jobId }),
      certificateHashes: [],
    };
    expect(store.getRevocationStatus(ALICE, base).revokedEntities).toEqual([]);
    await expectStoreError(
      () => store.getRevocationStatus(ALICE, { ...base, profileVersionArn: setup.profileArn }),
      'ValidationException',
      /profileVersionArn: expected arn:aws:signer:<region>:<account>:\/signing-profiles\/<name>\/<version>/,
    );
    await expectStoreError(
      () =>
        store.getRevocationStatus(ALICE, {
          ...base,
          jobArn: 'arn:aws:signer:us-east-1:111111111111:/signing-jobs/x',
        }),
      'ValidationException',
      /jobArn: expected/,
    );
    await expectStoreError(
      () => store.listSigningJobs(ALICE, { status: 'Done' as never }),
      'ValidationException',
      /status: expected one of \[InProgress, Failed, Succeeded\], got "Done"/,
    );
  });
});
