import {
  resourceTagContext,
  type AccessCheck,
  type ContextValue,
  type ResourceAccess,
} from '../access.js';
import type { AuthzRequest, Principal, ResourceFacts } from '../types.js';

/** Turns one parsed call into the checks IAM makes for it. */
export type OperationMapper = (
  r: AuthzRequest,
  f: ResourceFacts,
  p: Principal,
) => Promise<AccessCheck[]>;

/** The '*' resource of actions that name no resource type in the reference. */
export function anyResource(accountId: string): ResourceAccess {
  return { arn: '*', accountId, context: {} };
}

/** One check of `action` on `resources`, with the request's own keys. */
export function check(
  action: string,
  resources: ResourceAccess[],
  context: Record<string, ContextValue> = {},
): AccessCheck[] {
  return [{ action, resources, context }];
}

/** The account an ARN names (its fifth field; empty for S3's account-less ARNs). */
export function accountOfArn(arn: string): string {
  // The text between the fourth and fifth colons, found without splitting the whole ARN.
  let start = -1;
  for (let i = 0; i < 4; i++) {
    start = arn.indexOf(':', start + 1);
    if (start < 0) return '';
  }
  const end = arn.indexOf(':', start + 1);
  return arn.slice(start + 1, end < 0 ? undefined : end);
}

/**
 * A resource with what the store knows of it: aws:ResourceTag/… from its tags (when its type is
 * taggable) and the policy of `policyFrom` (itself, or the bucket of an object).
 */
export async function resourceWithFacts(
  f: ResourceFacts,
  arn: string,
  accountId: string,
  opts: { tags?: boolean; policyFrom?: string } = {},
): Promise<ResourceAccess> {
  const [tags, policy] = await Promise.all([
    opts.tags ? f.tagsOf(arn) : undefined,
    opts.policyFrom !== undefined ? f.resourcePolicyOf(opts.policyFrom) : undefined,
  ]);
  return {
    arn,
    accountId,
    context: resourceTagContext(tags),
    ...(policy !== undefined ? { policy } : {}),
  };
}
