import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignerStore } from '../src/index.js';
import {
  ALICE,
  BOB,
  EC_P256,
  RSA_2048,
  enc,
  expectStoreError,
  openStore,
  opensslPair,
  removeDir,
  tempDir,
} from './helpers.js';
import type { KeyPair } from './helpers.js';

let dir: string;
let keys: string;
let store: SignerStore;
let ec: KeyPair;
let ecArn: string;
let rsaArn: string;

const put = (profileName: string, extra: Record<string, unknown> = {}) =>
  store.putSigningProfile(ALICE, {
    profileName,
    platformId: 'AmazonFreeRTOS-Default',
    signingMaterial: { certificateArn: ecArn },
    ...extra,
  });

beforeAll(() => {
  dir = tempDir('profiles');
  keys = tempDir('profiles-keys');
  ec = opensslPair(keys, 'ec', EC_P256);
  const rsa = opensslPair(keys, 'rsa', RSA_2048);
  store = openStore(dir);
  ecArn = store.importCertificate(ALICE, {
    certificate: enc(ec.certPem),
    privateKey: enc(ec.keyPem),
  }).certificateArn;
  rsaArn = store.importCertificate(ALICE, {
    certificate: enc(rsa.certPem),
    privateKey: enc(rsa.keyPem),
  }).certificateArn;
});

afterAll(() => {
  store.close();
  removeDir(dir);
  removeDir(keys);
});

describe('PutSigningProfile', () => {
  it('creates an Active profile with AWS-shaped ARNs and a 10-alphanumeric version', () => {
    const r = put('prod_fw', {
      signingParameters: { certname: '/device/cert.pem' },
      tags: { team: 'fw' },
    });
    expect(r.arn).toBe('arn:aws:signer:us-east-1:111111111111:/signing-profiles/prod_fw');
    expect(r.profileVersion).toMatch(/^[a-zA-Z0-9]{10}$/);
    expect(r.profileVersionArn).toBe(`${r.arn}/${r.profileVersion}`);
    const g = store.getSigningProfile(ALICE, { profileName: 'prod_fw' });
    expect(g).toMatchObject({
      profileName: 'prod_fw',
      profileVersion: r.profileVersion,
      profileVersionArn: r.profileVersionArn,
      platformId: 'AmazonFreeRTOS-Default',
      platformDisplayName: 'Amazon FreeRTOS SHA256-ECDSA',
      signingMaterial: { certificateArn: ecArn },
      signatureValidityPeriod: { value: 135, type: 'MONTHS' },
      signingParameters: { certname: '/device/cert.pem' },
      status: 'Active',
      arn: r.arn,
      tags: { team: 'fw' },
    });
    expect(g.revocationRecord).toBeUndefined();
  });

  it('checks the name pattern, the platform and the overrides', async () => {
    await expectStoreError(
      () => put('x'),
      'ValidationException',
      /profileName: expected 2-64 characters of \[a-zA-Z0-9_\], got "x"/,
    );
    await expectStoreError(() => put('has-dash'), 'ValidationException', /got "has-dash"/);
    await expectStoreError(() => put('a'.repeat(65)), 'ValidationException', /profileName/);
    await expectStoreError(
      () => put('ok_name', { platformId: 'NoSuchPlatform' }),
      'ResourceNotFoundException',
      /platformId: platform "NoSuchPlatform" is not a known signing platform/,
    );
    await expectStoreError(
      () => put('ok_name', { platformId: 'AWSLambda-SHA384-ECDSA' }),
      'ValidationException',
      /signingMaterial: platform AWSLambda-SHA384-ECDSA signs with Signer-managed keys, so its profiles take no signingMaterial/,
    );
    await expectStoreError(
      () => put('ok_name', { overrides: { signingConfiguration: { hashAlgorithm: 'SHA1' } } }),
      'ValidationException',
      /overrides\.signingConfiguration\.hashAlgorithm: expected one of \[SHA256\], got "SHA1"/,
    );
    await expectStoreError(
      () => put('ok_name', { overrides: { signingImageFormat: 'JSONDetached' } }),
      'ValidationException',
      /signingImageFormat: expected one of \[JSONEmbedded\], got "JSONDetached"/,
    );
    const ok = put('with_override', {
      overrides: {
        signingConfiguration: { encryptionAlgorithm: 'ECDSA', hashAlgorithm: 'SHA256' },
        signingImageFormat: 'JSONEmbedded',
      },
    });
    expect(store.getSigningProfile(ALICE, { profileName: 'with_override' }).overrides).toEqual({
      signingConfiguration: { encryptionAlgorithm: 'ECDSA', hashAlgorithm: 'SHA256' },
      signingImageFormat: 'JSONEmbedded',
    });
    expect(ok.profileVersion).toHaveLength(10);
  });

  it('defaults the validity to 135 MONTHS and refuses more', async () => {
    put('v_days', { signatureValidityPeriod: { value: 30, type: 'DAYS' } });
    expect(
      store.getSigningProfile(ALICE, { profileName: 'v_days' }).signatureValidityPeriod,
    ).toEqual({ value: 30, type: 'DAYS' });
    put('v_years', { signatureValidityPeriod: { value: 11, type: 'YEARS' } });
    await expectStoreError(
      () => put('v_bad', { signatureValidityPeriod: { value: 136, type: 'MONTHS' } }),
      'ValidationException',
      /signatureValidityPeriod: expected at most 135 MONTHS, got 136 MONTHS/,
    );
    await expectStoreError(
      () => put('v_bad', { signatureValidityPeriod: { value: 12, type: 'YEARS' } }),
      'ValidationException',
      /got 12 YEARS/,
    );
    await expectStoreError(
      () => put('v_bad', { signatureValidityPeriod: { value: 5000, type: 'DAYS' } }),
      'ValidationException',
      /got 5000 DAYS/,
    );
    await expectStoreError(
      () => put('v_bad', { signatureValidityPeriod: { value: 0, type: 'DAYS' } }),
      'ValidationException',
      /value: expected a positive integer, got 0/,
    );
    await expectStoreError(
      () => put('v_bad', { signatureValidityPeriod: { value: 1, type: 'WEEKS' } }),
      'ValidationException',
      /type: expected one of \[DAYS, MONTHS, YEARS\], got "WEEKS"/,
    );
  });

  it('checks the signing material: exists in the account, key fits the platform', async () => {
    await expectStoreError(
      () => put('no_cert', { signingMaterial: undefined }),
      'ValidationException',
      /signingMaterial\.certificateArn: expected a non-empty string/,
    );
    const missing =
      'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-4000-8000-000000000000';
    await expectStoreError(
      () => put('no_cert', { signingMaterial: { certificateArn: missing } }),
      'ResourceNotFoundException',
      /certificate .* does not exist in account 111111111111/,
    );
    await expectStoreError(
      () =>
        store.putSigningProfile(BOB, {
          profileName: 'bob_p',
          platformId: 'AmazonFreeRTOS-Default',
          signingMaterial: { certificateArn: ecArn },
        }),
      'ResourceNotFoundException',
      /does not exist in account 222222222222/,
    );
    await expectStoreError(
      () => put('rsa_on_ecdsa', { signingMaterial: { certificateArn: rsaArn } }),
      'ValidationException',
      /needs a P-256 ECDSA key, certificate .* holds an RSA-2048 key/,
    );
    await expectStoreError(
      () =>
        store.putSigningProfile(ALICE, {
          profileName: 'ec_on_rsa',
          platformId: 'AmazonFreeRTOS-TI-CC3220SF',
          signingMaterial: { certificateArn: ecArn },
        }),
      'ValidationException',
      /SHA1withRSA and needs a RSA key/,
    );
  });

  it('refuses a certificate that has expired by the time of the put', async () => {
    const later = openStore(dir, { now: () => new Date(Date.now() + 400 * 86400_000) });
    try {
      await expectStoreError(
        () =>
          later.putSigningProfile(ALICE, {
            profileName: 'too_late',
            platformId: 'AmazonFreeRTOS-Default',
            signingMaterial: { certificateArn: ecArn },
          }),
        'ValidationException',
        /signingMaterial\.certificateArn: certificate .* expired at/,
      );
    } finally {
      later.close();
    }
  });

  it('refuses tags beyond 50 and malformed tag keys (BadRequestException, as TagResource)', async () => {
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    await expectStoreError(
      () => put('many_tags', { tags }),
      'BadRequestException',
      /at most 50 tags, got 51/,
    );
    await expectStoreError(
      () => put('bad_tag', { tags: { 'aws:owner': 'x' } }),
      'BadRequestException',
      /tags key: expected 1-128 characters/,
    );
    await expectStoreError(
      () => put('bad_tag', { tags: { ok: 'x'.repeat(257) } }),
      'BadRequestException',
      /at most 256 characters/,
    );
  });

  it('is create-only: an existing name (Active, Revoked or Canceled) is refused', async () => {
    put('taken');
    await expectStoreError(
      () => put('taken'),
      'ValidationException',
      /a signing profile named "taken" already exists in account 111111111111 \(status Active\); profile names cannot be reused/,
    );
    store.cancelSigningProfile(ALICE, { profileName: 'taken' });
    await expectStoreError(() => put('taken'), 'ValidationException', /\(status Canceled\)/);
    // Another account may use the same name.
    expect(() => store.getSigningProfile(BOB, { profileName: 'taken' })).toThrow(
      /does not exist in account 222222222222/,
    );
  });
});

describe('GetSigningProfile across accounts', () => {
  it('needs signer:GetSigningProfile; the cross-account view has no tags', async () => {
    put('shared_p', { tags: { secret: 'yes' } });
    await expectStoreError(
      () =>
        store.getSigningProfile(BOB, { profileName: 'shared_p', profileOwner: ALICE.accountId }),
      'AccessDeniedException',
      /signer:GetSigningProfile/,
    );
    // A missing profile of another account is AccessDenied too: existence is not disclosed.
    await expectStoreError(
      () =>
        store.getSigningProfile(BOB, { profileName: 'nope_nope', profileOwner: ALICE.accountId }),
      'AccessDeniedException',
      /not authorized/,
    );
    store.addProfilePermission(ALICE, {
      profileName: 'shared_p',
      action: 'signer:GetSigningProfile',
      principal: BOB.principalArn,
      statementId: 'bob-read',
    });
    const g = store.getSigningProfile(BOB, {
      profileName: 'shared_p',
      profileOwner: ALICE.accountId,
    });
    expect(g.profileName).toBe('shared_p');
    expect(g.tags).toBeUndefined();
    await expectStoreError(
      () => store.getSigningProfile(ALICE, { profileName: 'shared_p', profileOwner: '12345' }),
      'ValidationException',
      /profileOwner: expected 12 digits, got "12345"/,
    );
  });
});

describe('ListSigningProfiles', () => {
  it('filters by status, platform and includeCanceled, and paginates', async () => {
    const names = (input: Parameters<SignerStore['listSigningProfiles']>[1]) =>
      store.listSigningProfiles(ALICE, input).profiles.map((p) => p.profileName);
    const active = names({ maxResults: 25 });
    expect(active).not.toContain('taken');
    expect(active).toEqual([...active].sort());
    expect(names({ includeCanceled: true, maxResults: 25 })).toContain('taken');
    expect(names({ statuses: ['Canceled'] })).toEqual(['taken']);
    expect(names({ platformId: 'AmazonFreeRTOS-TI-CC3220SF' })).toEqual([]);
    const all: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = store.listSigningProfiles(ALICE, {
        maxResults: 2,
        includeCanceled: true,
        ...(token ? { nextToken: token } : {}),
      });
      all.push(...page.profiles.map((p) => p.profileName));
      token = page.nextToken;
      if (!token) break;
    }
    expect(all).toEqual(names({ includeCanceled: true, maxResults: 25 }));
    const t = store.listSigningProfiles(ALICE, { maxResults: 1 }).nextToken!;
    await expectStoreError(
      () =>
        store.listSigningProfiles(ALICE, { maxResults: 1, includeCanceled: true, nextToken: t }),
      'ValidationException',
      /nextToken: invalid token for ListSigningProfiles/,
    );
    await expectStoreError(
      () => store.listSigningProfiles(ALICE, { statuses: ['Gone' as never] }),
      'ValidationException',
      /statuses: expected each of \[Active, Canceled, Revoked\], got "Gone"/,
    );
    expect(store.listSigningProfiles(BOB, {}).profiles).toEqual([]);
  });
});

describe('CancelSigningProfile and RevokeSigningProfile', () => {
  it("cancels (idempotently) only the caller's own profile", async () => {
    put('to_cancel');
    store.cancelSigningProfile(ALICE, { profileName: 'to_cancel' });
    store.cancelSigningProfile(ALICE, { profileName: 'to_cancel' });
    expect(store.getSigningProfile(ALICE, { profileName: 'to_cancel' }).status).toBe('Canceled');
    await expectStoreError(
      () => store.cancelSigningProfile(BOB, { profileName: 'to_cancel' }),
      'ResourceNotFoundException',
      /does not exist in account 222222222222/,
    );
  });

  it('revokes with a reason, an effective time not in the future, movable only earlier', async () => {
    const { profileVersion } = put('to_revoke');
    const base = { profileName: 'to_revoke', profileVersion };
    await expectStoreError(
      () =>
        store.revokeSigningProfile(ALICE, {
          ...base,
          reason: 'x',
          effectiveTime: new Date(Date.now() + 60_000),
        }),
      'ValidationException',
      /effectiveTime: expected a time in the past/,
    );
    await expectStoreError(
      () => store.revokeSigningProfile(ALICE, { ...base, reason: '', effectiveTime: new Date() }),
      'ValidationException',
      /reason: expected 1-500 characters, got 0/,
    );
    await expectStoreError(
      () =>
        store.revokeSigningProfile(ALICE, {
          ...base,
          profileVersion: 'AAAAAAAAAA',
          reason: 'x',
          effectiveTime: new Date(),
        }),
      'ResourceNotFoundException',
      /version AAAAAAAAAA of profile to_revoke does not exist/,
    );
    await expectStoreError(
      () =>
        store.revokeSigningProfile(ALICE, {
          ...base,
          profileVersion: 'short',
          reason: 'x',
          effectiveTime: new Date(),
        }),
      'ValidationException',
      /profileVersion: expected 10 alphanumerics/,
    );
    const t1 = new Date(Date.now() - 60_000);
    store.revokeSigningProfile(ALICE, { ...base, reason: 'leaked', effectiveTime: t1 });
    const g = store.getSigningProfile(ALICE, { profileName: 'to_revoke' });
    expect(g.status).toBe('Revoked');
    expect(g.revocationRecord?.revocationEffectiveFrom).toEqual(t1);
    expect(g.revocationRecord?.revokedBy).toBe(ALICE.principalArn);
    await expectStoreError(
      () =>
        store.revokeSigningProfile(ALICE, {
          ...base,
          reason: 'later',
          effectiveTime: new Date(t1.getTime() + 1000),
        }),
      'ValidationException',
      /can only move that earlier/,
    );
    const t0 = new Date(t1.getTime() - 60_000);
    store.revokeSigningProfile(ALICE, { ...base, reason: 'earlier', effectiveTime: t0 });
    expect(
      store.getSigningProfile(ALICE, { profileName: 'to_revoke' }).revocationRecord
        ?.revocationEffectiveFrom,
    ).toEqual(t0);
  });
});
