/**
 * What one call asks of IAM, per the Service Authorization Reference: an action on one or more
 * resources, with the request's condition keys. The operation tables (operations/*.ts) produce it;
 * the evaluator (evaluate.ts) decides on it.
 */

/** A context value as the evaluator takes it: a string, or a list for multivalued keys. */
export type ContextValue = string | string[];

/** One resource an action touches. */
export interface ResourceAccess {
  /** The resource's ARN, or '*' for the actions whose resource type is '*' in the reference. */
  arn: string;
  /** The account that owns it (the caller's for '*'). */
  accountId: string;
  /** Keys only this resource brings: aws:ResourceTag/…, signer:ProfileVersion. */
  context: Record<string, ContextValue>;
  /** The resource's own policy (a profile's permissions, a role's trust policy). */
  policy?: string;
  /**
   * The resource's policy must allow, whoever calls: a role's trust policy for sts:AssumeRole (IAM
   * User Guide: a role can be assumed only by principals its trust policy allows), so a role without
   * one cannot be assumed at all.
   */
  policyRequired?: boolean;
}

/** One authorization check: every resource must be allowed for the action. */
export interface AccessCheck {
  action: string;
  resources: ResourceAccess[];
  /** Keys of the request itself: aws:RequestTag/…, aws:TagKeys, s3:prefix… */
  context: Record<string, ContextValue>;
}

/** aws:RequestTag/… and aws:TagKeys for the tags a create or tag call sends. */
export function requestTagContext(
  tags: Record<string, string> | undefined,
): Record<string, ContextValue> {
  if (!tags || Object.keys(tags).length === 0) return {};
  const out: Record<string, ContextValue> = { 'aws:TagKeys': Object.keys(tags) };
  for (const [k, v] of Object.entries(tags)) out[`aws:RequestTag/${k}`] = v;
  return out;
}

/** aws:ResourceTag/… for a resource's tags. */
export function resourceTagContext(
  tags: Record<string, string> | undefined,
): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const [k, v] of Object.entries(tags ?? {})) out[`aws:ResourceTag/${k}`] = v;
  return out;
}

/**
 * The tags a create or tag call sends: the server's requestTags when it gave them, else the input
 * member, as a map (Signer's tags) or as a list of { Key, Value } (ACM's, IAM's and STS's Tags).
 */
export function tagsSent(
  requestTags: Record<string, string> | undefined,
  member: unknown,
): Record<string, string> | undefined {
  if (requestTags) return requestTags;
  if (Array.isArray(member)) {
    const out: Record<string, string> = {};
    for (const t of member as unknown[]) {
      const { Key, Value } = (t ?? {}) as { Key?: unknown; Value?: unknown };
      if (typeof Key === 'string') out[Key] = typeof Value === 'string' ? Value : '';
    }
    return out;
  }
  if (member && typeof member === 'object') {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(member)) if (typeof v === 'string') out[k] = v;
    return out;
  }
  return undefined;
}

/** aws:TagKeys for the keys an untag call removes. */
export function tagKeysContext(member: unknown): Record<string, ContextValue> {
  const keys = Array.isArray(member)
    ? member.filter((k): k is string => typeof k === 'string')
    : [];
  return keys.length > 0 ? { 'aws:TagKeys': keys } : {};
}
