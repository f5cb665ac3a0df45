/**
 * The Lambda and Notation platforms end to end, through the three clients the issue names: the
 * Debian AWS CLI (the seed's put/get/list/cancel/revoke examples verbatim), boto3 (a Lambda
 * signing job through S3), and @aws-sdk/client-signer (SignPayload, RevokeSignature,
 * GetRevocationStatus). Envelopes are checked with jose and the chain with `openssl verify` against
 * the account's root. SignPayload and GetRevocationStatus through the AWS CLI and boto3 (with the
 * vendored model) are in aws-data.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jose from 'jose';
import {
  GetRevocationStatusCommand,
  PutSigningProfileCommand,
  RevokeSignatureCommand,
  SignPayloadCommand,
  SignerClient,
} from '@aws-sdk/client-signer';
import type { SignerStore } from '@fwsign/store';
import { certificateHashes, pem, verifyLambdaPackage } from '@fwsign/signing-engine';
import {
  DEV,
  PYTHON,
  REGION,
  awsCliEnv,
  awsJson,
  awsStderr,
  run,
  startStoreServer,
} from './helpers.js';

const ACCOUNT = { accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root' };
const NOTARY = 'application/vnd.cncf.notary.payload.v1+json';

let tmp: string;
let store: SignerStore;
let h: Awaited<ReturnType<typeof startStoreServer>>;
let url: string;
let env: NodeJS.ProcessEnv;
let signer: SignerClient;
let rootPem: string;

const pemOf = (der: Uint8Array) => pem('CERTIFICATE', der);

const aws = (...args: string[]) => awsJson(url, env, args);
const awsFails = (...args: string[]) => awsStderr(url, env, args);

beforeAll(async () => {
  h = await startStoreServer('fwsign-api-platforms-');
  ({ dir: tmp, store, url } = h);
  env = awsCliEnv(tmp);
  // GetRevocationStatus has a `data-` host prefix, which a local endpoint cannot honour.
  signer = new SignerClient({
    endpoint: url,
    region: REGION,
    credentials: DEV,
    disableHostPrefix: true,
  });
  rootPem = pemOf(store.rootCertificate(ACCOUNT));
  writeFileSync(join(tmp, 'root.pem'), rootPem);
}, 60_000);

afterAll(async () => {
  signer?.destroy();
  await h?.close();
});

// Several AWS CLI processes in a row: each takes seconds to start on a loaded machine.
describe('the seed examples with the AWS CLI', { timeout: 300_000 }, () => {
  it('put (Lambda, 10 MONTHS), get, list, revoke with --profile-version and --effective-time, cancel', async () => {
    const put = await aws(
      'signer',
      'put-signing-profile',
      '--profile-name',
      'my_lambda_signing_profile',
      '--platform-id',
      'AWSLambda-SHA384-ECDSA',
      '--signature-validity-period',
      'value=10,type=MONTHS',
    );
    expect(put.arn).toBe(
      'arn:aws:signer:us-east-1:000000000000:/signing-profiles/my_lambda_signing_profile',
    );
    const got = await aws(
      'signer',
      'get-signing-profile',
      '--profile-name',
      'my_lambda_signing_profile',
    );
    expect(got).toMatchObject({
      profileName: 'my_lambda_signing_profile',
      platformId: 'AWSLambda-SHA384-ECDSA',
      platformDisplayName: 'AWS Lambda',
      signatureValidityPeriod: { value: 10, type: 'MONTHS' },
      status: 'Active',
    });
    expect(got).not.toHaveProperty('signingMaterial');
    expect(got).not.toHaveProperty('tags');
    const listed = (await aws('signer', 'list-signing-profiles')).profiles as Record<
      string,
      unknown
    >[];
    expect(listed.map((p) => p.profileName)).toContain('my_lambda_signing_profile');
    const effective = new Date(Date.now() - 3600_000).toISOString();
    await aws(
      'signer',
      'revoke-signing-profile',
      '--profile-name',
      'my_lambda_signing_profile',
      '--profile-version',
      got.profileVersion as string,
      '--reason',
      'key rotation',
      '--effective-time',
      effective,
    );
    const revoked = await aws(
      'signer',
      'get-signing-profile',
      '--profile-name',
      'my_lambda_signing_profile',
    );
    expect(revoked.status).toBe('Revoked');
    expect(
      await awsFails(
        'signer',
        'revoke-signing-profile',
        '--profile-name',
        'my_lambda_signing_profile',
        '--profile-version',
        got.profileVersion as string,
        '--reason',
        'later',
        '--effective-time',
        new Date(Date.now() - 60_000).toISOString(),
      ),
    ).toMatch(/ValidationException.*can only move that earlier/);
    await aws('signer', 'cancel-signing-profile', '--profile-name', 'my_lambda_signing_profile');
    expect(
      await awsFails('signer', 'list-tags-for-resource', '--resource-arn', put.arn as string),
    ).toMatch(/BadRequestException.*Canceled/);
  });

  it('answers BadRequestException for invalid tags and refuses undocumented permission actions', async () => {
    expect(
      await awsFails(
        'signer',
        'put-signing-profile',
        '--profile-name',
        'tagged',
        '--platform-id',
        'Notation-OCI-SHA384-ECDSA',
        '--tags',
        'aws:owner=me',
      ),
    ).toMatch(/BadRequestException/);
    const put = await aws(
      'signer',
      'put-signing-profile',
      '--profile-name',
      'perm_p',
      '--platform-id',
      'Notation-OCI-SHA384-ECDSA',
    );
    expect(
      await awsFails(
        'signer',
        'tag-resource',
        '--resource-arn',
        put.arn as string,
        '--tags',
        'aws:x=y',
      ),
    ).toMatch(/BadRequestException/);
    expect(
      await awsFails(
        'signer',
        'add-profile-permission',
        '--profile-name',
        'perm_p',
        '--action',
        'signer:ListSigningJobs',
        '--principal',
        '111111111111',
        '--statement-id',
        's1',
      ),
    ).toMatch(
      /ValidationException.*signer:StartSigningJob, signer:GetSigningProfile, signer:RevokeSignature, signer:SignPayload\]/,
    );
  });
});

describe('a Lambda signing job with boto3', { timeout: 120_000 }, () => {
  it('signs a ZIP from a versioned bucket; the job fails with a statusReason for a non-ZIP', async () => {
    writeFileSync(join(tmp, 'index.py'), 'def handler(event, context):\n    return "ok"\n');
    execFileSync('zip', ['-q', 'fn.zip', 'index.py'], { cwd: tmp });
    const script = `
import boto3, json, sys, time
url, path = sys.argv[1], sys.argv[2]
s3 = boto3.client('s3', endpoint_url=url, region_name='us-east-1')
signer = boto3.client('signer', endpoint_url=url, region_name='us-east-1')
for b in ('lambda-src', 'lambda-dst'):
    s3.create_bucket(Bucket=b)
    s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={'Status': 'Enabled'})
signer.put_signing_profile(profileName='boto_lambda', platformId='AWSLambda-SHA384-ECDSA')
def job(key, body):
    v = s3.put_object(Bucket='lambda-src', Key=key, Body=body)['VersionId']
    j = signer.start_signing_job(source={'s3': {'bucketName': 'lambda-src', 'key': key, 'version': v}},
        destination={'s3': {'bucketName': 'lambda-dst', 'prefix': 'signed/'}}, profileName='boto_lambda')
    return signer.describe_signing_job(jobId=j['jobId'])
ok = job('fn.zip', open(path, 'rb').read())
bad = job('notzip.zip', b'this is plain text and not a ZIP archive at all')
signed = s3.get_object(Bucket='lambda-dst', Key=ok['signedObject']['s3']['key'])['Body'].read()
open(path + '.signed', 'wb').write(signed)
print(json.dumps({'status': ok['status'], 'expires': 'signatureExpiresAt' in ok, 'bad': bad['status'],
                  'reason': bad['statusReason'], 'material': 'signingMaterial' in ok}))
`;
    const { stdout } = await run(PYTHON, ['-c', script, url, join(tmp, 'fn.zip')], {
      env,
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      status: 'Succeeded',
      expires: true,
      bad: 'Failed',
      reason: expect.stringMatching(
        /^Invalid Lambda deployment package: not a well-formed ZIP file/,
      ),
      material: false,
    });
    expect(
      execFileSync('unzip', ['-t', 'fn.zip.signed'], { cwd: tmp, encoding: 'utf8' }),
    ).toContain('No errors detected');
    const v = verifyLambdaPackage({
      pkg: new Uint8Array(readFileSync(join(tmp, 'fn.zip.signed'))),
      trustedRoots: [store.rootCertificate(ACCOUNT)],
    });
    expect(v).toMatchObject({ ok: true, reason: 'valid' });
  });
});

describe('SignPayload and revocation with @aws-sdk/client-signer', { timeout: 120_000 }, () => {
  const payload = new TextEncoder().encode(
    JSON.stringify({
      targetArtifact: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: 'sha256:73c803930ea3ba1e54bc25c2bdc53edd0284c62ed651fe7b00369da519a3c333',
        size: 16724,
      },
    }),
  );

  it('returns a Notary envelope that jose and openssl accept, and GetRevocationStatus tracks revocation', async () => {
    await signer.send(
      new PutSigningProfileCommand({
        profileName: 'sdk_notation',
        platformId: 'Notation-OCI-SHA384-ECDSA',
      }),
    );
    const r = await signer.send(
      new SignPayloadCommand({ profileName: 'sdk_notation', payload, payloadFormat: NOTARY }),
    );
    const env = JSON.parse(Buffer.from(r.signature!).toString('utf8')) as jose.FlattenedJWS & {
      header: { x5c: string[] };
    };
    const key = await jose.importX509(pemOf(Buffer.from(env.header.x5c[0]!, 'base64')), 'ES384');
    const crit = Object.fromEntries(
      JSON.parse(Buffer.from(env.protected!, 'base64url').toString()).crit.map((c: string) => [
        c,
        true,
      ]),
    );
    const out = await jose.flattenedVerify(env, key, { algorithms: ['ES384'], crit });
    expect(Buffer.from(out.payload).equals(Buffer.from(payload))).toBe(true);
    const [leaf, inter] = env.header.x5c.map((c) => pemOf(Buffer.from(c, 'base64')));
    writeFileSync(join(tmp, 'leaf.pem'), leaf!);
    writeFileSync(join(tmp, 'inter.pem'), inter!);
    expect(
      execFileSync(
        'openssl',
        [
          'verify',
          '-CAfile',
          join(tmp, 'root.pem'),
          '-untrusted',
          join(tmp, 'inter.pem'),
          join(tmp, 'leaf.pem'),
        ],
        { encoding: 'utf8' },
      ),
    ).toContain('OK');
    const jobArn = r.metadata!['com.amazonaws.signer.signingJob']!;
    const status = async () =>
      (
        await signer.send(
          new GetRevocationStatusCommand({
            signatureTimestamp: new Date(
              out.protectedHeader!['io.cncf.notary.authenticSigningTime'] as string,
            ),
            platformId: 'Notation-OCI-SHA384-ECDSA',
            profileVersionArn: r.metadata!['com.amazonaws.signer.signingProfileVersion']!,
            jobArn,
            certificateHashes: certificateHashes(
              env.header.x5c.map((c) => Buffer.from(c, 'base64')),
            ),
          }),
        )
      ).revokedEntities;
    expect(await status()).toEqual([]);
    await signer.send(new RevokeSignatureCommand({ jobId: r.jobId!, reason: 'leaked' }));
    expect(await status()).toEqual([jobArn]);
  });

  it('refuses other payload formats and other platforms with ValidationException', async () => {
    const e1 = await signer
      .send(
        new SignPayloadCommand({
          profileName: 'sdk_notation',
          payload,
          payloadFormat: 'application/json',
        }),
      )
      .catch((e: Error) => e);
    expect(e1).toMatchObject({ name: 'ValidationException' });
    expect((e1 as Error).message).toMatch(
      /the single valid type is application\/vnd.cncf.notary.payload.v1\+json/,
    );
    await signer.send(
      new PutSigningProfileCommand({
        profileName: 'sdk_lambda',
        platformId: 'AWSLambda-SHA384-ECDSA',
      }),
    );
    const e2 = await signer
      .send(new SignPayloadCommand({ profileName: 'sdk_lambda', payload, payloadFormat: NOTARY }))
      .catch((e: Error) => e);
    expect(e2).toMatchObject({ name: 'ValidationException' });
  });
});
