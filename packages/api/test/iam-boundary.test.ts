/**
 * Permissions boundaries through `@aws-sdk/client-iam`: a boundary caps what a user's or a role
 * session's policies allow (refusals name it, as AWS's do), removing it takes effect on the next
 * request, a policy in use as one cannot be deleted, and the delegation pattern — an administrator
 * who may create and change users only with a given boundary (iam:PermissionsBoundary).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeletePolicyCommand,
  DeleteUserPermissionsBoundaryCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  ListEntitiesForPolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { GetSigningProfileCommand, StartSigningJobCommand } from '@aws-sdk/client-signer';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { REGION } from './helpers.js';
import { ACCOUNT, iamClients, policy, type Creds } from './iam-fixture.js';
import {
  bucket,
  freeRtosProfile,
  importCertificate,
  rejection,
  useSdkServer,
} from './sdk-fixture.js';

/** A policy file of examples/iam/ (the README's). */
const example = (name: string): string =>
  readFileSync(new URL(`../examples/iam/${name}.json`, import.meta.url), 'utf8');

const fx = useSdkServer();
const clients = iamClients(() => fx.h.url);
const iam = () => clients.iam();

const PROFILE = 'bounded_fw';
const PROFILE_ARN = `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/${PROFILE}`;
const everything = policy({ Effect: 'Allow', Action: '*', Resource: '*' });
/** The boundary: Signer's reads only. */
const SIGNER_READ = policy({
  Effect: 'Allow',
  Action: ['signer:Get*', 'signer:List*'],
  Resource: '*',
});
let boundaryArn: string;
let sourceVersion: string;

/** A user (made by the account's root) with these inline policies and an access key. */
async function user(name: string, doc: string, boundary?: string): Promise<Creds> {
  await iam().send(
    new CreateUserCommand({
      UserName: name,
      ...(boundary ? { PermissionsBoundary: boundary } : {}),
    }),
  );
  await iam().send(
    new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: doc }),
  );
  const k = (await iam().send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
}

const startJob = (creds: Creds, token: string) =>
  clients.signer(creds).send(
    new StartSigningJobCommand({
      source: { s3: { bucketName: 'bounded-src', key: 'fw.bin', version: sourceVersion } },
      destination: { s3: { bucketName: 'bounded-src', prefix: 'signed/' } },
      profileName: PROFILE,
      clientRequestToken: token,
    }),
  );

const refusal = (who: string, action: string, resource?: string) =>
  `User: ${who} is not authorized to perform: ${action}${resource ? ` on resource: ${resource}` : ''} because no permissions boundary allows the ${action} action`;

beforeAll(async () => {
  await freeRtosProfile(fx, PROFILE, await importCertificate(fx));
  await bucket(fx, 'bounded-src', true);
  sourceVersion = (
    await fx.s3.send(
      new PutObjectCommand({ Bucket: 'bounded-src', Key: 'fw.bin', Body: new Uint8Array(64) }),
    )
  ).VersionId!;
  const { Policy } = await iam().send(
    new CreatePolicyCommand({ PolicyName: 'signer-read', PolicyDocument: SIGNER_READ }),
  );
  boundaryArn = Policy!.Arn!;
});

describe('permissions boundaries', { timeout: 60_000 }, () => {
  it('cap an allow-everything user to the boundary until it is removed; the policy cannot be deleted meanwhile', async () => {
    const creds = await user('capped', everything);
    await iam().send(
      new PutUserPermissionsBoundaryCommand({
        UserName: 'capped',
        PermissionsBoundary: boundaryArn,
      }),
    );
    expect(
      (await iam().send(new GetUserCommand({ UserName: 'capped' }))).User?.PermissionsBoundary,
    ).toEqual({
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: boundaryArn,
    });
    const got = await clients
      .signer(creds)
      .send(new GetSigningProfileCommand({ profileName: PROFILE }));
    expect(got.profileName).toBe(PROFILE);
    const denied = await rejection(startJob(creds, 'b-1'));
    expect([denied.name, denied.$metadata.httpStatusCode, denied.message]).toEqual([
      'AccessDeniedException',
      403,
      refusal(`arn:aws:iam::${ACCOUNT}:user/capped`, 'signer:StartSigningJob', PROFILE_ARN),
    ]);

    expect(
      (await iam().send(new GetPolicyCommand({ PolicyArn: boundaryArn }))).Policy
        ?.PermissionsBoundaryUsageCount,
    ).toBe(1);
    const conflict = await rejection(
      iam().send(new DeletePolicyCommand({ PolicyArn: boundaryArn })),
    );
    expect([conflict.name, conflict.$metadata.httpStatusCode, conflict.message]).toEqual([
      'DeleteConflictException',
      409,
      'Cannot delete a policy attached to entities.',
    ]);
    const listed = await iam().send(
      new ListEntitiesForPolicyCommand({
        PolicyArn: boundaryArn,
        PolicyUsageFilter: 'PermissionsBoundary',
      }),
    );
    expect(listed.PolicyUsers?.map((u) => u.UserName)).toEqual(['capped']);
    const missing = await rejection(
      iam().send(
        new PutUserPermissionsBoundaryCommand({
          UserName: 'capped',
          PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/no-such-policy`,
        }),
      ),
    );
    expect([missing.name, missing.$metadata.httpStatusCode]).toEqual([
      'NoSuchEntityException',
      404,
    ]);
    const malformed = await rejection(
      iam().send(
        new PutUserPermissionsBoundaryCommand({
          UserName: 'capped',
          PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:user/capped`,
        }),
      ),
    );
    expect([malformed.name, malformed.$metadata.httpStatusCode]).toEqual([
      'InvalidInputException',
      400,
    ]);

    await iam().send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'capped' }));
    expect((await startJob(creds, 'b-2')).jobId).toBeTruthy();
  });

  it("bound an assumed role's sessions by the role's boundary", async () => {
    const assumer = await user(
      'assumer',
      policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }),
    );
    await iam().send(
      new CreateRoleCommand({
        RoleName: 'capped-role',
        PermissionsBoundary: boundaryArn,
        AssumeRolePolicyDocument: policy({
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/assumer` },
          Action: 'sts:AssumeRole',
        }),
      }),
    );
    expect(
      (await iam().send(new GetRoleCommand({ RoleName: 'capped-role' }))).Role?.PermissionsBoundary
        ?.PermissionsBoundaryArn,
    ).toBe(boundaryArn);
    // The role itself allows everything; its boundary still caps the session.
    await iam().send(
      new PutRolePolicyCommand({
        RoleName: 'capped-role',
        PolicyName: 'all',
        PolicyDocument: everything,
      }),
    );
    const c = (
      await clients.sts(assumer).send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/capped-role`,
          RoleSessionName: 'ci',
        }),
      )
    ).Credentials!;
    const session = {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken!,
    };
    expect(
      (await clients.signer(session).send(new GetSigningProfileCommand({ profileName: PROFILE })))
        .profileName,
    ).toBe(PROFILE);
    const denied = await rejection(startJob(session, 'b-3'));
    expect(denied.message).toBe(
      refusal(
        `arn:aws:sts::${ACCOUNT}:assumed-role/capped-role/ci`,
        'signer:StartSigningJob',
        PROFILE_ARN,
      ),
    );
  });

  it('delegation (examples/iam/team-admin.json): users made and changed only with ci-boundary.json', async () => {
    const { Policy: ciBoundary } = await iam().send(
      new CreatePolicyCommand({
        PolicyName: 'ci-boundary',
        PolicyDocument: example('ci-boundary'),
      }),
    );
    const ciArn = ciBoundary!.Arn!;
    const asAdmin = clients.iam(await user('team-admin', example('team-admin')));
    const without = await rejection(
      asAdmin.send(new CreateUserCommand({ UserName: 'free', Path: '/ci/' })),
    );
    expect([without.name, without.$metadata.httpStatusCode, without.message]).toEqual([
      'AccessDenied',
      403,
      `User: arn:aws:iam::${ACCOUNT}:user/team-admin is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT}:user/ci/free because no identity-based policy allows the iam:CreateUser action`,
    ]);
    const made = await asAdmin.send(
      new CreateUserCommand({ UserName: 'build-1', Path: '/ci/', PermissionsBoundary: ciArn }),
    );
    expect(made.User?.PermissionsBoundary?.PermissionsBoundaryArn).toBe(ciArn);
    // Changing a user: allowed on one that has the boundary (the key is its boundary now)…
    await asAdmin.send(
      new PutUserPolicyCommand({
        UserName: 'build-1',
        PolicyName: 'p',
        PolicyDocument: everything,
      }),
    );
    // …refused on one without it, and so are another boundary and removing it.
    await iam().send(new CreateUserCommand({ UserName: 'unbounded', Path: '/ci/' }));
    const names = async (...calls: Promise<unknown>[]) =>
      Promise.all(calls.map(async (c) => (await rejection(c)).name));
    const { Policy: wider } = await iam().send(
      new CreatePolicyCommand({ PolicyName: 'wider', PolicyDocument: everything }),
    );
    expect(
      await names(
        asAdmin.send(
          new PutUserPolicyCommand({
            UserName: 'unbounded',
            PolicyName: 'p',
            PolicyDocument: everything,
          }),
        ),
        asAdmin.send(
          new PutUserPermissionsBoundaryCommand({
            UserName: 'build-1',
            PermissionsBoundary: wider!.Arn,
          }),
        ),
        asAdmin.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'build-1' })),
      ),
    ).toEqual(['AccessDenied', 'AccessDenied', 'AccessDenied']);
    // The user it made holds `*` inline, and may do only what ci-boundary.json allows.
    const k = (await asAdmin.send(new CreateAccessKeyCommand({ UserName: 'build-1' }))).AccessKey!;
    const build = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    expect((await startJob(build, 'b-4')).jobId).toBeTruthy();
    const escalate = await rejection(
      clients.iam(build).send(new CreateUserCommand({ UserName: 'more' })),
    );
    expect(escalate.message).toBe(
      refusal(
        `arn:aws:iam::${ACCOUNT}:user/ci/build-1`,
        'iam:CreateUser',
        `arn:aws:iam::${ACCOUNT}:user/more`,
      ),
    );
  });

  it("simulate-principal-policy applies the entity's boundary; simulate-custom-policy the one given", async () => {
    await user('simulated', everything, boundaryArn);
    const actions = ['signer:StartSigningJob', 'signer:GetSigningProfile'];
    const principal = await iam().send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/simulated`,
        ActionNames: actions,
      }),
    );
    const custom = await iam().send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [everything],
        PermissionsBoundaryPolicyInputList: [SIGNER_READ],
        ActionNames: actions,
      }),
    );
    for (const sim of [principal, custom])
      expect(
        sim.EvaluationResults?.map((r) => [
          r.EvalActionName,
          r.EvalDecision,
          r.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary,
        ]),
      ).toEqual([
        ['signer:StartSigningJob', 'implicitDeny', false],
        ['signer:GetSigningProfile', 'allowed', true],
      ]);
  });
});
