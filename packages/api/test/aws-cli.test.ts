import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PYTHON,
  awsCliEnv,
  awsJson,
  awsStderr,
  makeCertificate,
  run,
  startServer,
  type Harness,
} from './helpers.js';

let h: Harness;
let tmp: string;
let env: NodeJS.ProcessEnv;

const aws = (...args: string[]) => awsJson(h.url, env, args);
const awsFails = (...args: string[]) => awsStderr(h.url, env, args);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fwsign-awscli-'));
  h = await startServer();
  env = awsCliEnv(tmp);
});

afterAll(async () => {
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the AWS CLI against fwsign serve', { timeout: 120_000 }, () => {
  let certificateArn: string;

  it('imports a certificate with `aws acm import-certificate`', async () => {
    const rsa = makeCertificate(tmp, 'rsa', 'cc3220 dev');
    const out = await aws(
      'acm',
      'import-certificate',
      '--certificate',
      `fileb://${rsa.certFile}`,
      '--private-key',
      `fileb://${rsa.keyFile}`,
    );
    certificateArn = out.CertificateArn as string;
    expect(certificateArn).toMatch(/^arn:aws:acm:us-east-1:000000000000:certificate\/\S+$/);
  });

  it('runs the developer guide: put-signing-profile MyProfile6, get, list, cancel', async () => {
    const put = await aws(
      'signer',
      'put-signing-profile',
      '--profile-name',
      'MyProfile6',
      '--signing-material',
      `certificateArn=${certificateArn}`,
      '--platform-id',
      'AmazonFreeRTOS-TI-CC3220SF',
    );
    expect(put.arn).toBe('arn:aws:signer:us-east-1:000000000000:/signing-profiles/MyProfile6');
    const got = await aws('signer', 'get-signing-profile', '--profile-name', 'MyProfile6');
    expect(got).toMatchObject({
      profileName: 'MyProfile6',
      platformId: 'AmazonFreeRTOS-TI-CC3220SF',
      status: 'Active',
      signingMaterial: { certificateArn },
    });
    const list = await aws('signer', 'list-signing-profiles');
    expect((list.profiles as Array<{ profileName: string }>).map((p) => p.profileName)).toEqual([
      'MyProfile6',
    ]);
    await aws('signer', 'cancel-signing-profile', '--profile-name', 'MyProfile6');
    expect(
      (await aws('signer', 'get-signing-profile', '--profile-name', 'MyProfile6')).status,
    ).toBe('Canceled');
  });

  it('uses the S3 subset: create-bucket, put-bucket-versioning, put-object, get-object --version-id, list-object-versions', async () => {
    await aws('s3api', 'create-bucket', '--bucket', 'cli-bucket');
    await aws(
      's3api',
      'put-bucket-versioning',
      '--bucket',
      'cli-bucket',
      '--versioning-configuration',
      'Status=Enabled',
    );
    writeFileSync(join(tmp, 'fw.bin'), 'firmware v1');
    const put = await aws(
      's3api',
      'put-object',
      '--bucket',
      'cli-bucket',
      '--key',
      'fw.bin',
      '--body',
      join(tmp, 'fw.bin'),
    );
    expect(put.VersionId).toMatch(/\S+/);
    writeFileSync(join(tmp, 'fw.bin'), 'firmware v2');
    await aws(
      's3api',
      'put-object',
      '--bucket',
      'cli-bucket',
      '--key',
      'fw.bin',
      '--body',
      join(tmp, 'fw.bin'),
    );
    await aws(
      's3api',
      'get-object',
      '--bucket',
      'cli-bucket',
      '--key',
      'fw.bin',
      '--version-id',
      put.VersionId as string,
      join(tmp, 'out.bin'),
    );
    expect((await import('node:fs')).readFileSync(join(tmp, 'out.bin'), 'utf8')).toBe(
      'firmware v1',
    );
    const versions = await aws('s3api', 'list-object-versions', '--bucket', 'cli-bucket');
    expect((versions.Versions as unknown[]).length).toBe(2);
  });

  it('prints the AWS error code for a bad call and a wrong secret', async () => {
    expect(
      await awsFails('signer', 'get-signing-profile', '--profile-name', 'NoSuchProfile'),
    ).toMatch(/ResourceNotFoundException/);
    const saved = env.AWS_SECRET_ACCESS_KEY;
    env.AWS_SECRET_ACCESS_KEY = 'wrong';
    try {
      expect(await awsFails('signer', 'list-signing-profiles')).toMatch(
        /InvalidSignatureException/,
      );
    } finally {
      env.AWS_SECRET_ACCESS_KEY = saved;
    }
  });
});

describe('boto3 against fwsign serve', { timeout: 120_000 }, () => {
  it('runs put_signing_profile and get_signing_profile as the boto3 docs show them', async () => {
    const ec = makeCertificate(tmp, 'ec', 'boto dev');
    const imported = await aws(
      'acm',
      'import-certificate',
      '--certificate',
      `fileb://${ec.certFile}`,
      '--private-key',
      `fileb://${ec.keyFile}`,
    );
    const script = `
import boto3, json, sys
client = boto3.client('signer', endpoint_url=sys.argv[1], region_name='us-east-1')
response = client.put_signing_profile(
    profileName='BotoProfile',
    signingMaterial={'certificateArn': sys.argv[2]},
    signatureValidityPeriod={'value': 6, 'type': 'MONTHS'},
    platformId='AmazonFreeRTOS-Default',
    overrides={'signingConfiguration': {'encryptionAlgorithm': 'ECDSA', 'hashAlgorithm': 'SHA256'}},
    tags={'team': 'firmware'},
)
got = client.get_signing_profile(profileName='BotoProfile')
print(json.dumps({'put': response['arn'], 'version': response['profileVersion'], 'status': got['status'],
                  'validity': got['signatureValidityPeriod'], 'tags': got.get('tags'), 'platform': got['platformId']}))
`;
    const { stdout } = await run(PYTHON, ['-c', script, h.url, imported.CertificateArn as string], {
      env,
      timeout: 60_000,
    });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out).toEqual({
      put: 'arn:aws:signer:us-east-1:000000000000:/signing-profiles/BotoProfile',
      version: expect.stringMatching(/^[a-zA-Z0-9]{10}$/),
      status: 'Active',
      validity: { value: 6, type: 'MONTHS' },
      tags: { team: 'firmware' },
      platform: 'AmazonFreeRTOS-Default',
    });
  });
});
