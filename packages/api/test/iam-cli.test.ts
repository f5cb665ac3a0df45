/**
 * The proof through the unchanged AWS CLI and boto3: the account's root makes a CI user
 * with `aws iam`, whose policy allows StartSigningJob only on profiles tagged team=fw, denies
 * RevokeSignature and allows s3:*. Signing with the tagged profile works; an untagged profile,
 * put-signing-profile, revoke-signature and iam create-user are refused with AccessDenied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

const ACCOUNT = '000000000000';
const PROFILE_ARN = (name: string) =>
  `arn:aws:signer:us-east-1:${ACCOUNT}:/signing-profiles/${name}`;

let h: Harness;
let tmp: string;
let root: NodeJS.ProcessEnv;
let ci: NodeJS.ProcessEnv;
let source: string;

const aws = (env: NodeJS.ProcessEnv, ...args: string[]) => awsJson(h.url, env, args);
const refused = (env: NodeJS.ProcessEnv, ...args: string[]) => awsStderr(h.url, env, args);

/** The README's CI signer policy, the file it shows (examples/iam/ci-signer.json). */
const CI_POLICY_FILE = fileURLToPath(new URL('../examples/iam/ci-signer.json', import.meta.url));
const CI_POLICY = JSON.parse(readFileSync(CI_POLICY_FILE, 'utf8')) as unknown;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fwsign-iam-cli-'));
  h = await startServer();
  root = awsCliEnv(tmp);
  const ec = makeCertificate(tmp, 'ec');
  const cert = await aws(
    root,
    'acm',
    'import-certificate',
    '--certificate',
    `fileb://${ec.certFile}`,
    '--private-key',
    `fileb://${ec.keyFile}`,
  );
  for (const [name, tags] of [
    ['fw', ['--tags', 'team=fw']],
    ['other', []],
  ] as const) {
    await aws(
      root,
      'signer',
      'put-signing-profile',
      '--profile-name',
      name,
      '--platform-id',
      'AmazonFreeRTOS-Default',
      '--signing-material',
      `certificateArn=${String(cert.CertificateArn)}`,
      ...tags,
    );
  }
  await aws(root, 's3api', 'create-bucket', '--bucket', 'firmware');
  await aws(
    root,
    's3api',
    'put-bucket-versioning',
    '--bucket',
    'firmware',
    '--versioning-configuration',
    'Status=Enabled',
  );
  writeFileSync(join(tmp, 'app.bin'), Buffer.alloc(4096, 7));
}, 120_000);

afterAll(async () => {
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe(
  'a least-privilege CI user, set up and used with the AWS CLI',
  { timeout: 120_000 },
  () => {
    it('the root makes the user, its policy and its key with `aws iam`', async () => {
      const user = await aws(
        root,
        'iam',
        'create-user',
        '--user-name',
        'ci',
        '--tags',
        'Key=team,Value=fw',
      );
      expect((user.User as { Arn: string }).Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/ci`);
      await aws(
        root,
        'iam',
        'put-user-policy',
        '--user-name',
        'ci',
        '--policy-name',
        'ci-signer',
        '--policy-document',
        `file://${CI_POLICY_FILE}`,
      );
      // The CLI decodes IAM's URL-encoded documents back into JSON.
      const got = await aws(
        root,
        'iam',
        'get-user-policy',
        '--user-name',
        'ci',
        '--policy-name',
        'ci-signer',
      );
      expect(got.PolicyDocument).toEqual(CI_POLICY);
      const key = (await aws(root, 'iam', 'create-access-key', '--user-name', 'ci'))
        .AccessKey as Record<string, string>;
      ci = {
        ...root,
        AWS_ACCESS_KEY_ID: key.AccessKeyId!,
        AWS_SECRET_ACCESS_KEY: key.SecretAccessKey!,
      };
      expect((await aws(ci, 'sts', 'get-caller-identity')).Arn).toBe(
        `arn:aws:iam::${ACCOUNT}:user/ci`,
      );
    });

    it('signs with the team=fw profile: s3 put, start-signing-job, describe', async () => {
      const put = await aws(
        ci,
        's3api',
        'put-object',
        '--bucket',
        'firmware',
        '--key',
        'app.bin',
        '--body',
        join(tmp, 'app.bin'),
      );
      source = `s3={bucketName=firmware,key=app.bin,version=${String(put.VersionId)}}`;
      const job = await aws(
        ci,
        'signer',
        'start-signing-job',
        '--profile-name',
        'fw',
        '--source',
        source,
        '--destination',
        's3={bucketName=firmware,prefix=signed/}',
      );
      const described = await aws(
        ci,
        'signer',
        'describe-signing-job',
        '--job-id',
        String(job.jobId),
      );
      expect(described.status).toBe('Succeeded');
    });

    it('is refused on the untagged profile, put-signing-profile, revoke-signature and iam create-user', async () => {
      const untagged = await refused(
        ci,
        'signer',
        'start-signing-job',
        '--profile-name',
        'other',
        '--source',
        source,
        '--destination',
        's3={bucketName=firmware,prefix=signed/}',
      );
      expect(untagged).toContain('AccessDeniedException');
      expect(untagged).toContain(
        `User: arn:aws:iam::${ACCOUNT}:user/ci is not authorized to perform: signer:StartSigningJob on resource: ${PROFILE_ARN('other')} because no identity-based policy allows the signer:StartSigningJob action`,
      );
      const put = await refused(
        ci,
        'signer',
        'put-signing-profile',
        '--profile-name',
        'mine',
        '--platform-id',
        'AmazonFreeRTOS-Default',
        '--signing-material',
        'certificateArn=arn:aws:acm:us-east-1:000000000000:certificate/x',
      );
      expect(put).toContain('AccessDeniedException');
      expect(put).toContain('signer:PutSigningProfile');
      const jobs = await aws(root, 'signer', 'list-signing-jobs');
      const jobId = (jobs.jobs as Array<{ jobId: string }>)[0]!.jobId;
      const revoke = await refused(
        ci,
        'signer',
        'revoke-signature',
        '--job-id',
        jobId,
        '--reason',
        'test',
      );
      expect(revoke).toContain('AccessDeniedException');
      expect(revoke).toContain('with an explicit deny in an identity-based policy');
      const iam = await refused(ci, 'iam', 'create-user', '--user-name', 'intruder');
      expect(iam).toContain('(AccessDenied)');
      expect(iam).toContain(
        `is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT}:user/intruder`,
      );
    });

    it('simulate-principal-policy answers as enforcement does', async () => {
      const sim = await aws(
        root,
        'iam',
        'simulate-principal-policy',
        '--policy-source-arn',
        `arn:aws:iam::${ACCOUNT}:user/ci`,
        '--action-names',
        'signer:RevokeSignature',
        'signer:PutSigningProfile',
        's3:GetObject',
      );
      const decisions = (
        sim.EvaluationResults as Array<{ EvalActionName: string; EvalDecision: string }>
      ).map((r) => [r.EvalActionName, r.EvalDecision]);
      expect(decisions).toEqual([
        ['signer:RevokeSignature', 'explicitDeny'],
        ['signer:PutSigningProfile', 'implicitDeny'],
        ['s3:GetObject', 'allowed'],
      ]);
    });

    it('permissions boundaries: set at create-user, shown by get-user, lifted', async () => {
      const file = fileURLToPath(new URL('../examples/iam/ci-boundary.json', import.meta.url));
      const made = await aws(
        root,
        'iam',
        'create-policy',
        '--policy-name',
        'ci-boundary',
        '--policy-document',
        `file://${file}`,
      );
      const arn = (made.Policy as { Arn: string }).Arn;
      const bounded = ['--user-name', 'bounded'];
      await aws(root, 'iam', 'create-user', ...bounded, '--permissions-boundary', arn);
      expect((await aws(root, 'iam', 'get-user', ...bounded)).User).toMatchObject({
        PermissionsBoundary: {
          PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
          PermissionsBoundaryArn: arn,
        },
      });
      await aws(root, 'iam', 'delete-user-permissions-boundary', ...bounded);
      expect((await aws(root, 'iam', 'get-user', ...bounded)).User).not.toHaveProperty(
        'PermissionsBoundary',
      );
    });

    it('boto3 sees the same: the user identity, and AccessDenied on iam', async () => {
      const script = `
import boto3, botocore, json, sys
kw = dict(endpoint_url=sys.argv[1], region_name='us-east-1')
print(boto3.client('sts', **kw).get_caller_identity()['Arn'])
try:
    boto3.client('iam', **kw).list_users()
except botocore.exceptions.ClientError as e:
    print(e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode'])
`;
      const { stdout } = await run(PYTHON, ['-c', script, h.url], { env: ci, timeout: 60_000 });
      expect(stdout.trim().split('\n')).toEqual([
        `arn:aws:iam::${ACCOUNT}:user/ci`,
        'AccessDenied 403',
      ]);
    });
  },
);
