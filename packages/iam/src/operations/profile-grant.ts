/**
 * A signing profile's permissions (AddProfilePermission) as the resource policy of what a call
 * touches. AWS Signer grants by profile: a statement for signer:RevokeSignature on a profile covers
 * that profile's jobs, and one limited to a profile version (its Resource is the version's ARN,
 * .../signing-profiles/NAME/VERSION) covers the profile while that version is current. The store
 * shows the policy in that form; for evaluation each statement is pointed at the resource being
 * decided on, with the version turned into a signer:ProfileVersion condition.
 */
import { parsePolicy } from '../policies.js';

const VERSION_ARN = /^arn:aws:signer:[^:]*:\d{12}:\/signing-profiles\/[^/]+\/([^/]+)$/;

type Statement = Record<string, unknown> & { Resource?: unknown; Condition?: unknown };

const cache = new Map<string, string>();

/** The profile policy `doc`, re-aimed at `resourceArn` (the profile or one of its jobs). */
export function profileGrant(doc: string, resourceArn: string): string {
  const key = `${resourceArn}\n${doc}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const policy = parsePolicy(doc, `permissions of ${resourceArn}`) as { Statement?: unknown };
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const aimed = statements.map((s: unknown) => aim(s as Statement, resourceArn));
  const out = JSON.stringify({ ...policy, Statement: aimed });
  if (cache.size >= 2_000) cache.clear();
  cache.set(key, out);
  return out;
}

function aim(s: Statement, resourceArn: string): Statement {
  if (!s || typeof s !== 'object' || s.Resource === undefined) return s;
  const resources = [s.Resource].flat();
  const versions = resources.flatMap((r) => {
    const m = typeof r === 'string' ? VERSION_ARN.exec(r) : null;
    return m ? [m[1]!] : [];
  });
  const out: Statement = { ...s, Resource: resourceArn };
  // Every Resource a version: the grant holds only while one of them is the profile's version.
  if (versions.length === resources.length) {
    const cond = (s.Condition ?? {}) as Record<string, Record<string, unknown>>;
    out.Condition = {
      ...cond,
      StringEquals: { ...(cond['StringEquals'] ?? {}), 'signer:ProfileVersion': versions },
    };
  }
  return out;
}
