/**
 * The store contract on each engine (contract-engines.ts): signing profiles, their permissions
 * and tags, and the certificates they sign with — the same answers, order and refusals on both.
 */
import { describe, expect, it } from 'vitest';
import { ALICE, BOB } from './helpers.js';
import { allPages, ENGINES, importCertificate, useContractStore } from './contract-engines.js';

/** Names whose byte order (SQLite's BINARY) differs from a natural-language one. */
const NAMES = ['zeta', 'Alpha', 'beta', '_under', 'Beta2'];
const BINARY_ORDER = ['Alpha', 'Beta2', '_under', 'beta', 'zeta'];

describe.each(ENGINES)('profiles, permissions, tags and certificates on $name', (engine) => {
  const s = useContractStore(engine);
  const put = (profileName: string, extra: Record<string, unknown> = {}) =>
    s.store.putSigningProfile(ALICE, {
      profileName,
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn: s.certificateArn },
      ...extra,
    });

  it('lists profiles in byte order, a page at a time, with filters', async () => {
    for (const n of NAMES) await put(n);
    await s.store.putSigningProfile(ALICE, {
      profileName: 'lambda_fn',
      platformId: 'AWSLambda-SHA384-ECDSA',
    });
    const seen = await allPages(async (token) => {
      const page = await s.store.listSigningProfiles(ALICE, {
        maxResults: 2,
        platformId: 'AmazonFreeRTOS-Default',
        ...token,
      });
      expect(page.profiles.length).toBeLessThanOrEqual(2);
      return { items: page.profiles.map((p) => p.profileName), nextToken: page.nextToken };
    });
    expect(seen).toEqual(BINARY_ORDER);
    const all = await s.store.listSigningProfiles(ALICE);
    expect(all.profiles.map((p) => p.profileName)).toEqual([...BINARY_ORDER, 'lambda_fn'].sort());
    expect((await s.store.listSigningProfiles(BOB)).profiles).toEqual([]);
    // A token is bound to its filters: another listing refuses it.
    const first = await s.store.listSigningProfiles(ALICE, { maxResults: 1 });
    await expect(
      s.store.listSigningProfiles(ALICE, {
        maxResults: 1,
        nextToken: first.nextToken!,
        statuses: ['Active'],
      }),
    ).rejects.toMatchObject({ code: 'ValidationException' });
  });

  it('gets a profile, cancels it (hidden unless asked for), and keeps its name reserved', async () => {
    const got = await s.store.getSigningProfile(ALICE, { profileName: 'zeta' });
    expect(got).toMatchObject({
      profileName: 'zeta',
      status: 'Active',
      signingMaterial: { certificateArn: s.certificateArn },
      platformId: 'AmazonFreeRTOS-Default',
    });
    await s.store.cancelSigningProfile(ALICE, { profileName: 'zeta' });
    await s.store.cancelSigningProfile(ALICE, { profileName: 'zeta' });
    expect((await s.store.getSigningProfile(ALICE, { profileName: 'zeta' })).status).toBe(
      'Canceled',
    );
    const names = async (input: object) =>
      (await s.store.listSigningProfiles(ALICE, input)).profiles.map((p) => p.profileName);
    expect(await names({})).not.toContain('zeta');
    expect(await names({ includeCanceled: true })).toContain('zeta');
    expect(await names({ statuses: ['Canceled'] })).toEqual(['zeta']);
    await expect(put('zeta')).rejects.toMatchObject({
      code: 'ValidationException',
      message: expect.stringContaining('status Canceled'),
    });
    await expect(
      s.store.cancelSigningProfile(ALICE, { profileName: 'nope' }),
    ).rejects.toMatchObject({ code: 'ResourceNotFoundException' });
  });

  it('revokes a profile version, and a repeat may move the effective time only earlier', async () => {
    const { profileVersion } = await put('revoked_fw');
    const at = new Date(Date.now() - 60_000);
    await s.store.revokeSigningProfile(ALICE, {
      profileName: 'revoked_fw',
      profileVersion,
      reason: 'key leaked',
      effectiveTime: at,
    });
    const got = await s.store.getSigningProfile(ALICE, { profileName: 'revoked_fw' });
    expect(got.status).toBe('Revoked');
    expect(got.profileVersion).toBe(profileVersion);
    expect(got.revocationRecord?.revocationEffectiveFrom?.getTime()).toBe(at.getTime());
    await expect(
      s.store.revokeSigningProfile(ALICE, {
        profileName: 'revoked_fw',
        profileVersion: 'A1B2C3D4E5',
        reason: 'x',
        effectiveTime: at,
      }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/Exception$/) });
    expect(
      (await s.store.listSigningProfiles(ALICE, { statuses: ['Revoked'] })).profiles.map(
        (p) => p.profileName,
      ),
    ).toEqual(['revoked_fw']);
  });

  it('adds, lists and removes permissions, each change checked against the revisionId', async () => {
    const first = await s.store.addProfilePermission(ALICE, {
      profileName: 'Alpha',
      action: 'signer:GetSigningProfile',
      principal: BOB.accountId,
      statementId: 'bob-read',
    });
    const second = await s.store.addProfilePermission(ALICE, {
      profileName: 'Alpha',
      action: 'signer:StartSigningJob',
      principal: BOB.accountId,
      statementId: 'bob-sign',
      revisionId: first.revisionId,
    });
    await expect(
      s.store.addProfilePermission(ALICE, {
        profileName: 'Alpha',
        action: 'signer:StartSigningJob',
        principal: BOB.accountId,
        statementId: 'bob-late',
        revisionId: first.revisionId,
      }),
    ).rejects.toMatchObject({ code: 'ConflictException' });
    await expect(
      s.store.addProfilePermission(ALICE, {
        profileName: 'Alpha',
        action: 'signer:GetSigningProfile',
        principal: BOB.accountId,
        statementId: 'bob-read',
        revisionId: second.revisionId,
      }),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/Conflict|ResourceConflict|Validation/),
    });
    const listed = await s.store.listProfilePermissions(ALICE, { profileName: 'Alpha' });
    expect(listed.revisionId).toBe(second.revisionId);
    expect(listed.permissions.map((p) => p.statementId)).toEqual(['bob-read', 'bob-sign']);
    // Bob may now read Alice's profile; a stranger may not.
    const got = await s.store.getSigningProfile(BOB, {
      profileName: 'Alpha',
      profileOwner: ALICE.accountId,
    });
    expect(got.profileName).toBe('Alpha');
    await expect(
      s.store.removeProfilePermission(ALICE, {
        profileName: 'Alpha',
        statementId: 'bob-read',
        revisionId: first.revisionId,
      }),
    ).rejects.toMatchObject({ code: 'ConflictException' });
    const removed = await s.store.removeProfilePermission(ALICE, {
      profileName: 'Alpha',
      statementId: 'bob-read',
      revisionId: second.revisionId,
    });
    expect(removed.revisionId).not.toBe(second.revisionId);
    expect(
      (await s.store.listProfilePermissions(ALICE, { profileName: 'Alpha' })).permissions,
    ).toEqual([
      { action: 'signer:StartSigningJob', principal: BOB.accountId, statementId: 'bob-sign' },
    ]);
    await expect(
      s.store.getSigningProfile(BOB, { profileName: 'Alpha', profileOwner: ALICE.accountId }),
    ).rejects.toMatchObject({ code: 'AccessDeniedException' });
  });

  it('tags a profile, lists and removes its tags', async () => {
    const { arn } = await s.store.getSigningProfile(ALICE, { profileName: 'beta' });
    await s.store.tagResource(ALICE, { resourceArn: arn, tags: { team: 'fw', stage: 'prod' } });
    await s.store.tagResource(ALICE, { resourceArn: arn, tags: { stage: 'beta' } });
    expect(await s.store.listTagsForResource(ALICE, { resourceArn: arn })).toEqual({
      tags: { team: 'fw', stage: 'beta' },
    });
    await s.store.untagResource(ALICE, { resourceArn: arn, tagKeys: ['team'] });
    expect((await s.store.listTagsForResource(ALICE, { resourceArn: arn })).tags).toEqual({
      stage: 'beta',
    });
    expect((await s.store.getSigningProfile(ALICE, { profileName: 'beta' })).tags).toEqual({
      stage: 'beta',
    });
    await expect(
      s.store.listTagsForResource(ALICE, { resourceArn: arn.replace('beta', 'nope') }),
    ).rejects.toMatchObject({ code: 'NotFoundException' });
  });

  it('imports, describes, lists and deletes certificates, refusing to delete one in use', async () => {
    const { certificateArn } = await importCertificate(s.store, s.dir, 'other');
    const { certificate } = await s.store.describeCertificate(ALICE, {
      certificateArn: s.certificateArn,
    });
    expect(certificate).toMatchObject({ keyAlgorithm: 'EC_prime256v1', status: 'ISSUED' });
    expect(certificate.inUseBy.length).toBeGreaterThan(0);
    expect((await s.store.getCertificate(ALICE, { certificateArn })).certificate).toContain(
      'BEGIN CERTIFICATE',
    );
    const arns = await allPages(async (token) => {
      const page = await s.store.listCertificates(ALICE, { maxItems: 1, ...token });
      const items = page.certificateSummaryList.map((c) => c.certificateArn);
      return { items, nextToken: page.nextToken };
    });
    expect(arns).toEqual([certificateArn, s.certificateArn].sort());
    await expect(
      s.store.deleteCertificate(ALICE, { certificateArn: s.certificateArn }),
    ).rejects.toMatchObject({
      code: 'ResourceInUseException',
      message: expect.stringContaining('in use by'),
    });
    await s.store.deleteCertificate(ALICE, { certificateArn });
    await expect(s.store.describeCertificate(ALICE, { certificateArn })).rejects.toMatchObject({
      code: 'ResourceNotFoundException',
    });
    expect((await s.store.listCertificates(BOB)).certificateSummaryList).toEqual([]);
  });
});
