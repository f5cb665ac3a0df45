import { describe, expect, it } from 'vitest';
import { simulate, type SimulationInput } from '../src/index.js';
import { ACCT, OTHER, jobArn, policy, profileArn } from './fixtures.js';

const FW = profileArn('fw');
const CI = `arn:aws:iam::${ACCT}:user/ci`;

const base = (over: Partial<SimulationInput>): SimulationInput => ({
  callerArn: CI,
  accountId: ACCT,
  policies: [],
  actionNames: ['signer:StartSigningJob'],
  ...over,
});

describe('simulate (SimulatePrincipalPolicy / SimulateCustomPolicy)', () => {
  it('answers each action × resource with the decision and the statements that decided', async () => {
    const results = await simulate(
      base({
        policies: [
          {
            document: policy({ Effect: 'Allow', Action: 'signer:*', Resource: '*' }),
            id: 'ci-sign',
            type: 'user',
          },
          {
            document: policy({ Effect: 'Deny', Action: 'signer:RevokeSignature', Resource: '*' }),
            id: `arn:aws:iam::${ACCT}:policy/no-revoke`,
            type: 'user-managed',
          },
        ],
        actionNames: ['signer:StartSigningJob', 'signer:RevokeSignature', 'iam:CreateUser'],
        resourceArns: [FW, jobArn('j1')],
      }),
    );
    expect(results).toEqual([
      {
        EvalActionName: 'signer:StartSigningJob',
        EvalResourceName: FW,
        EvalDecision: 'allowed',
        MatchedStatements: [{ SourcePolicyId: 'ci-sign', SourcePolicyType: 'user' }],
        MissingContextValues: [],
      },
      // An action never applies to a resource of a type it does not act on.
      expect.objectContaining({
        EvalActionName: 'signer:StartSigningJob',
        EvalResourceName: jobArn('j1'),
        EvalDecision: 'implicitDeny',
      }),
      expect.objectContaining({
        EvalActionName: 'signer:RevokeSignature',
        EvalResourceName: FW,
        EvalDecision: 'implicitDeny',
      }),
      expect.objectContaining({
        EvalActionName: 'signer:RevokeSignature',
        EvalResourceName: jobArn('j1'),
        EvalDecision: 'explicitDeny',
        MatchedStatements: [
          {
            SourcePolicyId: `arn:aws:iam::${ACCT}:policy/no-revoke`,
            SourcePolicyType: 'user-managed',
          },
        ],
      }),
      expect.objectContaining({
        EvalActionName: 'iam:CreateUser',
        EvalResourceName: FW,
        EvalDecision: 'implicitDeny',
        MatchedStatements: [],
      }),
      expect.objectContaining({ EvalActionName: 'iam:CreateUser', EvalDecision: 'implicitDeny' }),
    ]);
  });

  it('takes context from ContextEntries only, and names the keys a condition needed but did not get', async () => {
    const doc = policy({
      Effect: 'Allow',
      Action: 'signer:StartSigningJob',
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/team': 'fw' } },
    });
    const without = await simulate(base({ policies: [{ document: doc }], resourceArns: [FW] }));
    expect(without[0]).toMatchObject({
      EvalDecision: 'implicitDeny',
      MissingContextValues: ['aws:ResourceTag/team'],
    });
    const withTag = await simulate(
      base({
        policies: [{ document: doc }],
        resourceArns: [FW],
        contextEntries: [
          {
            ContextKeyName: 'aws:ResourceTag/team',
            ContextKeyValues: ['fw'],
            ContextKeyType: 'string',
          },
        ],
      }),
    );
    expect(withTag[0]).toMatchObject({
      EvalDecision: 'allowed',
      MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1' }],
      MissingContextValues: [],
    });
  });

  it('list-typed entries are multivalued (aws:TagKeys with ForAllValues)', async () => {
    const doc = policy({
      Effect: 'Allow',
      Action: 'signer:PutSigningProfile',
      Resource: '*',
      Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'cost'] } },
    });
    const run = (keys: string[]) =>
      simulate(
        base({
          policies: [{ document: doc }],
          actionNames: ['signer:PutSigningProfile'],
          contextEntries: [
            { ContextKeyName: 'aws:TagKeys', ContextKeyValues: keys, ContextKeyType: 'stringList' },
          ],
        }),
      );
    expect((await run(['team', 'cost']))[0]?.EvalDecision).toBe('allowed');
    expect((await run(['team', 'admin']))[0]?.EvalDecision).toBe('implicitDeny');
  });

  it('reports whether the permissions boundary allowed', async () => {
    const results = await simulate(
      base({
        policies: [{ document: policy({ Effect: 'Allow', Action: 'signer:*', Resource: '*' }) }],
        permissionsBoundaries: [policy({ Effect: 'Allow', Action: 'signer:Get*', Resource: '*' })],
        actionNames: ['signer:GetSigningProfile', 'signer:StartSigningJob'],
        resourceArns: [FW],
      }),
    );
    expect(results.map((r) => [r.EvalDecision, r.PermissionsBoundaryDecisionDetail])).toEqual([
      ['allowed', { AllowedByPermissionsBoundary: true }],
      ['implicitDeny', { AllowedByPermissionsBoundary: false }],
    ]);
  });

  it('a resource in another account (ResourceOwner) needs the ResourcePolicy too', async () => {
    const theirs = profileArn('fw', OTHER);
    const input = base({
      policies: [
        { document: policy({ Effect: 'Allow', Action: 'signer:StartSigningJob', Resource: '*' }) },
      ],
      resourceArns: [theirs],
      resourceOwner: OTHER,
    });
    expect((await simulate(input))[0]?.EvalDecision).toBe('implicitDeny');
    const granted = await simulate({
      ...input,
      resourcePolicy: policy({
        Effect: 'Allow',
        Principal: { AWS: ACCT },
        Action: 'signer:StartSigningJob',
        Resource: theirs,
      }),
    });
    expect(granted[0]).toMatchObject({
      EvalDecision: 'allowed',
      MatchedStatements: expect.arrayContaining([
        { SourcePolicyId: 'ResourcePolicy', SourcePolicyType: 'resource' },
      ]),
    });
  });

  it("defaults ResourceArns to '*' and simulates actions that take no resource", async () => {
    const results = await simulate(
      base({
        policies: [
          { document: policy({ Effect: 'Allow', Action: 'signer:List*', Resource: '*' }) },
        ],
        actionNames: ['signer:ListSigningJobs', 'signer:StartSigningJob'],
      }),
    );
    expect(results.map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision])).toEqual([
      ['signer:ListSigningJobs', '*', 'allowed'],
      ['signer:StartSigningJob', '*', 'implicitDeny'],
    ]);
  });

  it('refuses a malformed action name, ResourceOwner or policy', async () => {
    await expect(simulate(base({ actionNames: ['StartSigningJob'] }))).rejects.toMatchObject({
      code: 'InvalidInput',
      message: 'ActionNames: expected service:Action, got "StartSigningJob"',
    });
    await expect(simulate(base({ resourceOwner: 'me' }))).rejects.toMatchObject({
      code: 'InvalidInput',
    });
    await expect(simulate(base({ policies: [{ document: '[]' }] }))).rejects.toMatchObject({
      code: 'MalformedPolicyDocument',
    });
  });
});
