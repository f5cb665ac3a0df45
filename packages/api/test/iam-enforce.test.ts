/**
 * Enforcement of IAM policies on Signer calls, through the real SDK clients: group policies,
 * managed-policy version switches, an explicit deny winning over an allow, and temporary
 * credentials from AssumeRole that work and then expire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
  SetDefaultPolicyVersionCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  CancelSigningProfileCommand,
  ListSigningJobsCommand,
  ListSigningProfilesCommand,
} from '@aws-sdk/client-signer';
import { REGION, startStoreServer } from './helpers.js';
import { ACCOUNT, iamClients, policy, type Creds } from './iam-fixture.js';
import { rejection } from './sdk-fixture.js';

const allow = (action: string) => ({ Effect: 'Allow', Action: action, Resource: '*' });

let srv: Awaited<ReturnType<typeof startStoreServer>>;
/** The store's clock runs this far ahead of the real one. */
let skewMs = 0;
const clients = iamClients(() => srv.url);
const iam = () => clients.iam();
const signerAs = clients.signer;

/** A user with an access key; its credentials. */
async function user(name: string): Promise<Creds> {
  await iam().send(new CreateUserCommand({ UserName: name }));
  const k = (await iam().send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
}

beforeAll(async () => {
  srv = await startStoreServer('fwsign-iam-enforce-', () => new Date(Date.now() + skewMs));
});
afterAll(async () => {
  clients.destroy();
  await srv?.close();
});

describe('IAM policies enforced on Signer', { timeout: 60_000 }, () => {
  it('a group policy allows while the user is a member', async () => {
    const creds = await user('member');
    await iam().send(new CreateGroupCommand({ GroupName: 'listers' }));
    await iam().send(
      new PutGroupPolicyCommand({
        GroupName: 'listers',
        PolicyName: 'list',
        PolicyDocument: policy(allow('signer:ListSigningProfiles')),
      }),
    );
    const denied = await rejection(signerAs(creds).send(new ListSigningProfilesCommand({})));
    expect([denied.name, denied.$metadata.httpStatusCode]).toEqual(['AccessDeniedException', 403]);
    expect(denied.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/member is not authorized to perform: signer:ListSigningProfiles because no identity-based policy allows the signer:ListSigningProfiles action`,
    );
    await iam().send(new AddUserToGroupCommand({ GroupName: 'listers', UserName: 'member' }));
    expect((await signerAs(creds).send(new ListSigningProfilesCommand({}))).profiles).toEqual([]);
    await iam().send(new RemoveUserFromGroupCommand({ GroupName: 'listers', UserName: 'member' }));
    expect((await rejection(signerAs(creds).send(new ListSigningProfilesCommand({})))).name).toBe(
      'AccessDeniedException',
    );
  });

  it('a managed policy takes effect by its default version', async () => {
    const creds = await user('versioned');
    const { Policy } = await iam().send(
      new CreatePolicyCommand({
        PolicyName: 'jobs',
        PolicyDocument: policy(allow('signer:ListSigningJobs')),
      }),
    );
    await iam().send(
      new AttachUserPolicyCommand({ UserName: 'versioned', PolicyArn: Policy!.Arn }),
    );
    expect((await signerAs(creds).send(new ListSigningJobsCommand({}))).jobs).toEqual([]);
    await iam().send(
      new CreatePolicyVersionCommand({
        PolicyArn: Policy!.Arn,
        PolicyDocument: policy(allow('signer:ListSigningProfiles')),
        SetAsDefault: true,
      }),
    );
    expect((await rejection(signerAs(creds).send(new ListSigningJobsCommand({})))).name).toBe(
      'AccessDeniedException',
    );
    await iam().send(
      new SetDefaultPolicyVersionCommand({ PolicyArn: Policy!.Arn, VersionId: 'v1' }),
    );
    expect((await signerAs(creds).send(new ListSigningJobsCommand({}))).jobs).toEqual([]);
  });

  it('an explicit deny wins over an allow', async () => {
    const creds = await user('denied');
    await iam().send(
      new PutUserPolicyCommand({
        UserName: 'denied',
        PolicyName: 'mixed',
        PolicyDocument: policy(allow('signer:*'), {
          Effect: 'Deny',
          Action: 'signer:CancelSigningProfile',
          Resource: '*',
        }),
      }),
    );
    const e = await rejection(
      signerAs(creds).send(new CancelSigningProfileCommand({ profileName: 'any_profile' })),
    );
    expect([e.name, e.$metadata.httpStatusCode]).toEqual(['AccessDeniedException', 403]);
    expect(e.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/denied is not authorized to perform: signer:CancelSigningProfile on resource: arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/any_profile with an explicit deny in an identity-based policy`,
    );
  });

  it("AssumeRole: the session acts with the role's policies, then expires", async () => {
    const creds = await user('builder');
    const { Role } = await iam().send(
      new CreateRoleCommand({
        RoleName: 'signer-ci',
        AssumeRolePolicyDocument: policy({
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/builder` },
          Action: 'sts:AssumeRole',
        }),
      }),
    );
    await iam().send(
      new PutRolePolicyCommand({
        RoleName: 'signer-ci',
        PolicyName: 'list',
        PolicyDocument: policy(allow('signer:ListSigningJobs')),
      }),
    );
    const out = await clients.sts(creds).send(
      new AssumeRoleCommand({
        RoleArn: Role!.Arn,
        RoleSessionName: 'build-7',
        DurationSeconds: 900,
      }),
    );
    const session = {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    };
    expect((await signerAs(session).send(new ListSigningJobsCommand({}))).jobs).toEqual([]);
    expect(
      (await signerAs(creds)
        .send(new ListSigningJobsCommand({}))
        .catch((e: Error) => e)) instanceof Error,
    ).toBe(true);
    skewMs = 901_000;
    try {
      const expired = await rejection(signerAs(session).send(new ListSigningJobsCommand({})));
      expect([expired.name, expired.$metadata.httpStatusCode, expired.message]).toEqual([
        'ExpiredTokenException',
        403,
        'The security token included in the request is expired',
      ]);
      const sts = await rejection(clients.sts(session).send(new GetCallerIdentityCommand({})));
      expect([sts.name, sts.$metadata.httpStatusCode]).toEqual(['ExpiredToken', 403]);
    } finally {
      skewMs = 0;
    }
  });
});
