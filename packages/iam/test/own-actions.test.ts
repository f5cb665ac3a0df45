/**
 * fwsign's own actions (the transparency log's reads), which no Service Authorization Reference
 * lists: evaluated with the same statement matching and layer rules as AWS's actions.
 */
import { describe, expect, it } from 'vitest';
import { authorize, simulate, type Principal } from '../src/index.js';
import { allow, deny, explicit, implicit, CI } from './evaluation-fixture.js';
import { ACCT, facts, policy, req, user } from './fixtures.js';

const LOG = `arn:aws:fwsign:us-east-1:${ACCT}:audit-log/default`;
const entries = req('fwsign', 'ListAuditEntries');
const checkpoint = req('fwsign', 'GetAuditCheckpoint');
const verdict = async (p: Principal, r = entries) => {
  const d = await authorize(p, r, facts());
  return d.allowed ? 'allowed' : d.reason;
};

describe("fwsign's own actions on the account's transparency log", () => {
  it.each([
    ['no policy', [], 'implicit-deny'],
    ['fwsign:*', [[allow('fwsign:*')]], 'allowed'],
    ['the action, any case, on the log', [[allow('FWSIGN:listauditentries', LOG)]], 'allowed'],
    ['a wildcard action', [[allow('fwsign:List*')]], 'allowed'],
    [
      'a wildcard resource',
      [[allow('fwsign:ListAuditEntries', 'arn:aws:fwsign:*:*:audit-log/*')]],
      'allowed',
    ],
    [
      'another account',
      [[allow('fwsign:*', 'arn:aws:fwsign:*:444455556666:audit-log/*')]],
      'implicit-deny',
    ],
    ['another action', [[allow('fwsign:GetAuditCheckpoint')]], 'implicit-deny'],
    ['signer:*', [[allow('signer:*')]], 'implicit-deny'],
    ['NotAction', [[{ Effect: 'Allow', NotAction: 'signer:*', Resource: '*' }]], 'allowed'],
    ['NotResource', [[{ Effect: 'Allow', Action: 'fwsign:*', NotResource: LOG }]], 'implicit-deny'],
    ['an explicit deny', [[allow('*')], [deny('fwsign:List*')]], 'explicit-deny'],
    [
      'a condition that holds',
      [[allow('fwsign:*', '*', { StringEquals: { 'aws:PrincipalTag/team': 'audit' } })]],
      'allowed',
    ],
    [
      'a condition that fails',
      [[allow('fwsign:*', '*', { StringEquals: { 'aws:PrincipalTag/team': 'fw' } })]],
      'implicit-deny',
    ],
    [
      'aws:SecureTransport',
      [[allow('fwsign:*', '*', { Bool: { 'aws:SecureTransport': 'true' } })]],
      'allowed',
    ],
  ])('%s', async (_, statements, expected) => {
    expect(await verdict(user(statements, { tags: { team: 'audit' } }))).toBe(expected);
  });

  it('a permissions boundary and a session policy cap them, and are named in denials', async () => {
    const bounded = user([[allow('*')]], {
      permissionsBoundary: policy(allow('fwsign:GetAudit*')),
    });
    expect(await verdict(bounded, checkpoint)).toBe('allowed');
    expect(await authorize(bounded, entries, facts())).toMatchObject({
      reason: 'implicit-deny',
      message: implicit(CI, 'fwsign:ListAuditEntries', LOG, 'permissions boundary'),
    });
    const session: Principal = {
      arn: `arn:aws:sts::${ACCT}:assumed-role/audit/run-1`,
      accountId: ACCT,
      kind: 'assumed-role',
      identityPolicies: [policy(allow('fwsign:*'))],
      sessionPolicy: policy(
        allow('fwsign:GetAuditCheckpoint'),
        deny('fwsign:GetAuditInclusionProof'),
      ),
      tags: {},
    };
    expect(await verdict(session, checkpoint)).toBe('allowed');
    expect(await authorize(session, entries, facts())).toMatchObject({
      message: implicit(session.arn, 'fwsign:ListAuditEntries', LOG, 'session policy'),
    });
    expect(
      await authorize(session, req('fwsign', 'GetAuditInclusionProof'), facts()),
    ).toMatchObject({
      reason: 'explicit-deny',
      message: explicit(session.arn, 'fwsign:GetAuditInclusionProof', LOG, 'a session policy'),
    });
  });

  it('denials name the caller, the action and the log', async () => {
    expect(await authorize(user([[allow('signer:*')]]), entries, facts())).toEqual({
      allowed: false,
      action: 'fwsign:ListAuditEntries',
      resource: LOG,
      reason: 'implicit-deny',
      message: `User: ${CI} is not authorized to perform: fwsign:ListAuditEntries on resource: ${LOG} because no identity-based policy allows the fwsign:ListAuditEntries action`,
    });
  });

  it('the policy simulator answers for them too', async () => {
    const out = await simulate({
      callerArn: CI,
      accountId: ACCT,
      policies: [{ document: policy(allow('fwsign:GetAudit*')), type: 'user', id: 'audit' }],
      actionNames: ['fwsign:GetAuditCheckpoint', 'fwsign:ListAuditEntries'],
      resourceArns: [LOG],
    });
    expect(out.map((r) => [r.EvalActionName, r.EvalDecision])).toEqual([
      ['fwsign:GetAuditCheckpoint', 'allowed'],
      ['fwsign:ListAuditEntries', 'implicitDeny'],
    ]);
  });
});
