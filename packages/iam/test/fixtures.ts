/** Principals, requests and store answers the tests share. */
import type { AuthzRequest, Principal, ResourceFacts } from '../src/index.js';

export const ACCT = '111122223333';
export const OTHER = '444455556666';
const REGION = 'us-east-1';
export const NOW = new Date('2026-12-07T12:00:00Z');

export const profileArn = (name: string, account = ACCT) =>
  `arn:aws:signer:${REGION}:${account}:/signing-profiles/${name}`;
export const jobArn = (id: string, account = ACCT) =>
  `arn:aws:signer:${REGION}:${account}:/signing-jobs/${id}`;

export type Statement = Record<string, unknown>;
export const policy = (...Statement: Statement[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement });

export function user(statements: Statement[][] = [], extra: Partial<Principal> = {}): Principal {
  return {
    arn: `arn:aws:iam::${ACCT}:user/ci`,
    accountId: ACCT,
    kind: 'user',
    identityPolicies: statements.map((s) => policy(...s)),
    tags: {},
    ...extra,
  };
}

export function req(
  service: AuthzRequest['service'],
  operation: string,
  input: Record<string, unknown> = {},
  extra: Partial<AuthzRequest> = {},
): AuthzRequest {
  return {
    service,
    operation,
    input,
    region: REGION,
    accountId: ACCT,
    secureTransport: true,
    now: NOW,
    ...extra,
  };
}

/** A store's answers: tags and policies by ARN, each job made with `profile` at version v1. */
export function facts(
  opts: {
    tags?: Record<string, Record<string, string>>;
    policies?: Record<string, string>;
    jobProfile?: string;
    paths?: Record<string, string>;
  } = {},
): ResourceFacts {
  return {
    tagsOf: async (arn) => opts.tags?.[arn],
    resourcePolicyOf: async (arn) => opts.policies?.[arn],
    jobProfile: async (_jobId, owner) => ({
      profileArn: opts.jobProfile ?? profileArn('fw', owner ?? ACCT),
      profileVersion: 'v1',
    }),
    profileVersionOf: async () => 'v1',
    iamPathOf: async (_kind, name) => opts.paths?.[name],
  };
}
