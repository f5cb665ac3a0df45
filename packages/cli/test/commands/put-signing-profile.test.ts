import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign put-signing-profile', { timeout: 60_000 }, () => {
  it('takes the AWS CLI shorthand and JSON for its structures', async () => {
    const arn = await f.certificate('ec');
    const put = await f.json(
      'put-signing-profile',
      '--profile-name',
      'Shorthand',
      '--platform-id',
      'AmazonFreeRTOS-Default',
      '--signing-material',
      `certificateArn=${arn}`,
      '--signature-validity-period',
      'value=10,type=MONTHS',
      '--overrides',
      '{"signingConfiguration":{"encryptionAlgorithm":"ECDSA","hashAlgorithm":"SHA256"}}',
      '--tags',
      'team=fw,stage=dev',
    );
    expect(put.arn).toBe('arn:aws:signer:us-east-1:000000000000:/signing-profiles/Shorthand');
    const got = await f.json('get-signing-profile', '--profile-name', 'Shorthand');
    expect(got).toMatchObject({
      signatureValidityPeriod: { value: 10, type: 'MONTHS' },
      signingMaterial: { certificateArn: arn },
      tags: { team: 'fw', stage: 'dev' },
      overrides: { signingConfiguration: { hashAlgorithm: 'SHA256' } },
    });
  });

  it('takes --cli-input-json, and prints a skeleton with --generate-cli-skeleton', async () => {
    const arn = await f.certificate('ec');
    const doc = JSON.stringify({
      profileName: 'FromJson',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn: arn },
    });
    expect((await f.json('put-signing-profile', '--cli-input-json', doc)).arn).toMatch(/FromJson$/);
    const skel = await f.json('put-signing-profile', '--generate-cli-skeleton');
    expect(skel).toMatchObject({
      profileName: '',
      signatureValidityPeriod: { value: 0, type: 'DAYS' },
      tags: { KeyName: '' },
    });
  });

  it('exits 252 naming a missing required flag, and 254 with the AWS code for a server-side error', async () => {
    const usage = await f.run('put-signing-profile', '--profile-name', 'NoPlatform');
    expect(usage.code).toBe(252);
    expect(usage.stderr).toContain('the following arguments are required: --platform-id');
    const bad = await f.run(
      'put-signing-profile',
      '--profile-name',
      'BadEnum',
      '--platform-id',
      'AmazonFreeRTOS-Default',
      '--signature-validity-period',
      'value=1,type=WEEKS',
    );
    expect(bad.code).toBe(254);
    expect(bad.stderr).toMatch(
      /^An error occurred \(ValidationException\) when calling the PutSigningProfile operation: .*'signatureValidityPeriod.type'/,
    );
  });
});
