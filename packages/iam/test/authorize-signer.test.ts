import { describe, expect, it } from 'vitest';
import { authorize, type AuthzRequest, type Principal, type ResourceFacts } from '../src/index.js';

const ACCT = '111122223333';
const PROFILE = `arn:aws:signer:us-east-1:${ACCT}:/signing-profiles/fw`;

const user = (...policies: object[]): Principal => ({
  arn: `arn:aws:iam::${ACCT}:user/ci`,
  accountId: ACCT,
  kind: 'user',
  identityPolicies: policies.map((p) => JSON.stringify(p)),
  tags: {},
});

const facts = (tags: Record<string, Record<string, string>> = {}): ResourceFacts => ({
  tagsOf: async (arn) => tags[arn],
  resourcePolicyOf: async () => undefined,
  jobProfile: async () => ({ profileArn: PROFILE, profileVersion: 'v1' }),
  profileVersionOf: async () => 'v1',
});

const req = (operation: string, input: Record<string, unknown>): AuthzRequest => ({
  service: 'signer',
  operation,
  input,
  region: 'us-east-1',
  accountId: ACCT,
  secureTransport: true,
  now: new Date('2026-12-07T12:00:00Z'),
});

describe('authorize (Signer)', () => {
  it('allows StartSigningJob on a profile tagged team=fw and refuses an untagged one', async () => {
    const p = user({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'signer:StartSigningJob',
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceTag/team': 'fw' } },
        },
      ],
    });
    const ok = await authorize(
      p,
      req('StartSigningJob', { profileName: 'fw' }),
      facts({ [PROFILE]: { team: 'fw' } }),
    );
    expect(ok).toEqual({ allowed: true, action: 'signer:StartSigningJob', resources: [PROFILE] });
    const no = await authorize(p, req('StartSigningJob', { profileName: 'fw' }), facts());
    expect(no).toEqual({
      allowed: false,
      action: 'signer:StartSigningJob',
      resource: PROFILE,
      reason: 'implicit-deny',
      message: `User: arn:aws:iam::${ACCT}:user/ci is not authorized to perform: signer:StartSigningJob on resource: ${PROFILE} because no identity-based policy allows the signer:StartSigningJob action`,
    });
  });
});
