/**
 * Denial messages in AWS's words (IAM User Guide, "Access denied error messages"): the caller, the
 * action, the resource (left out for actions on '*'), and which kind of policy failed to allow or
 * explicitly denied.
 */
import type { DenyReason } from './types.js';

/** The kind of policy a denial is attributed to. */
export type PolicyKind = 'identity' | 'resource' | 'permissions-boundary' | 'session';

const NOUN: Record<PolicyKind, string> = {
  identity: 'identity-based policy',
  resource: 'resource-based policy',
  'permissions-boundary': 'permissions boundary',
  session: 'session policy',
};

const ARTICLE: Record<PolicyKind, string> = {
  identity: 'an',
  resource: 'a',
  'permissions-boundary': 'a',
  session: 'a',
};

/**
 * "User: arn:… is not authorized to perform: signer:StartSigningJob on resource: arn:… because no
 * identity-based policy allows the signer:StartSigningJob action", or "… with an explicit deny in an
 * identity-based policy".
 */
export function denialMessage(
  callerArn: string,
  action: string,
  resource: string,
  reason: DenyReason,
  kind: PolicyKind,
): string {
  const on = resource === '*' ? '' : ` on resource: ${resource}`;
  const why =
    reason === 'explicit-deny'
      ? `with an explicit deny in ${ARTICLE[kind]} ${NOUN[kind]}`
      : `because no ${NOUN[kind]} allows the ${action} action`;
  return `User: ${callerArn} is not authorized to perform: ${action}${on} ${why}`;
}
