import type { AccessCheck, ContextValue, ResourceAccess } from '../access.js';
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
