import { invalidInput, limitExceeded, malformedPolicy } from './iam-errors.js';

/** What a policy document is for: its grammar and size limit follow from that. */
export type PolicyUse = 'user' | 'group' | 'role' | 'managed' | 'trust' | 'session';

/**
 * IAM's size quotas, counted in characters without whitespace (IAM and STS quotas page):
 * inline policies per user 2,048 (all of the user's together), per group 5,120, per role
 * 10,240; a managed policy 6,144; a role's trust policy 2,048; a session policy 2,048.
 */
export const POLICY_LIMITS: Record<PolicyUse, number> = {
  user: 2048,
  group: 5120,
  role: 10240,
  managed: 6144,
  trust: 2048,
  session: 2048,
};

/** Managed policies attached to one user, group or role (the default quota). */
export const MAX_ATTACHED = 10;
export const MAX_POLICY_VERSIONS = 5;
export const MAX_ACCESS_KEYS = 2;
export const MAX_GROUPS_PER_USER = 10;
const MAX_TAGS = 50;

export const nonWhitespaceLength = (s: string): number => s.replace(/\s+/g, '').length;

const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const ACTION = /^(\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$/;

/**
 * Checks a policy document against IAM's policy grammar (the "IAM JSON policy elements"
 * reference) and its size quota, throwing MalformedPolicyDocument or LimitExceeded with the
 * messages IAM uses. Returns the parsed document.
 */
export function checkPolicyDocument(text: string, use: PolicyUse): Record<string, unknown> {
  const size = nonWhitespaceLength(text);
  if (size > POLICY_LIMITS[use]) {
    throw limitExceeded(
      `Cannot exceed quota for ${quotaName(use)}: ${POLICY_LIMITS[use]}; the document has ${size} characters without whitespace`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw malformedPolicy(`Syntax errors in policy: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw malformedPolicy('Syntax errors in policy: expected a JSON object');
  for (const k of Object.keys(doc)) {
    if (k !== 'Version' && k !== 'Id' && k !== 'Statement')
      throw malformedPolicy(`Syntax errors in policy: unknown top-level element ${k}`);
  }
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17')
    throw malformedPolicy(
      `The policy failed legacy parsing: Version expected 2012-10-17 or 2008-10-17, got ${JSON.stringify(doc.Version)}`,
    );
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  if (doc.Statement === undefined || statements.length === 0)
    throw malformedPolicy('Syntax errors in policy: Missing required field Statement');
  statements.forEach((s, i) => checkStatement(s, i, use));
  return doc;
}

function checkStatement(s: unknown, i: number, use: PolicyUse): void {
  const at = `Statement[${i}]`;
  if (!isObject(s)) throw malformedPolicy(`Syntax errors in policy: ${at} expected an object`);
  for (const k of Object.keys(s)) {
    if (!STATEMENT_KEYS.has(k))
      throw malformedPolicy(`Syntax errors in policy: ${at} has unknown field ${k}`);
  }
  if (s.Sid !== undefined && (typeof s.Sid !== 'string' || !/^[A-Za-z0-9]*$/.test(s.Sid)))
    throw malformedPolicy(`Statement IDs (SID) must be alpha-numeric: ${JSON.stringify(s.Sid)}`);
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
    throw malformedPolicy(
      `Syntax errors in policy: ${at}.Effect expected Allow or Deny, got ${JSON.stringify(s.Effect)}`,
    );
  const trust = use === 'trust';
  const hasPrincipal = s.Principal !== undefined || s.NotPrincipal !== undefined;
  if (!trust && hasPrincipal)
    throw malformedPolicy('Policy document should not specify a principal.');
  if (trust && !hasPrincipal) throw malformedPolicy('Missing required field Principal');
  if (trust && s.Principal !== undefined) checkPrincipal(s.Principal, at);
  oneOf(s, 'Action', 'NotAction', at, true);
  for (const a of strings(s.Action ?? s.NotAction, `${at}.Action`)) {
    if (!ACTION.test(a)) throw malformedPolicy(`Action ${JSON.stringify(a)} has an invalid format`);
  }
  if (!trust) oneOf(s, 'Resource', 'NotResource', at, true);
  for (const r of strings(s.Resource ?? s.NotResource ?? [], `${at}.Resource`)) {
    if (r !== '*' && !r.startsWith('arn:'))
      throw malformedPolicy(`Resource ${r} must be in ARN format or "*".`);
  }
  if (s.Condition !== undefined) checkCondition(s.Condition, at);
}

function oneOf(s: Record<string, unknown>, a: string, b: string, at: string, required: boolean) {
  if (s[a] !== undefined && s[b] !== undefined)
    throw malformedPolicy(`Syntax errors in policy: ${at} has both ${a} and ${b}`);
  if (required && s[a] === undefined && s[b] === undefined)
    throw malformedPolicy(`Syntax errors in policy: ${at} Missing required field ${a}`);
}

function strings(v: unknown, at: string): string[] {
  const list: unknown[] = Array.isArray(v) ? v : [v];
  if (!list.every((x): x is string => typeof x === 'string'))
    throw malformedPolicy(`Syntax errors in policy: ${at} expected a string or a list of strings`);
  return list;
}

function checkPrincipal(p: unknown, at: string): void {
  if (p === '*') return;
  if (!isObject(p))
    throw malformedPolicy(`Syntax errors in policy: ${at}.Principal expected "*" or an object`);
  for (const [k, v] of Object.entries(p)) {
    if (!['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(k))
      throw malformedPolicy(`Invalid principal in policy: unknown principal type ${k}`);
    for (const x of strings(v, `${at}.Principal.${k}`)) {
      if (k === 'AWS' && x !== '*' && !/^(\d{12}|arn:aws:(iam|sts)::\d{12}:.+)$/.test(x))
        throw malformedPolicy(`Invalid principal in policy: "AWS":"${x}"`);
    }
  }
}

function checkCondition(c: unknown, at: string): void {
  if (!isObject(c))
    throw malformedPolicy(`Syntax errors in policy: ${at}.Condition expected an object`);
  for (const [op, block] of Object.entries(c)) {
    if (!/^(ForAllValues:|ForAnyValue:)?[A-Za-z]+$/.test(op))
      throw malformedPolicy(`Syntax errors in policy: unknown condition operator ${op}`);
    if (!isObject(block))
      throw malformedPolicy(`Syntax errors in policy: ${at}.Condition.${op} expected an object`);
    for (const [key, v] of Object.entries(block)) {
      const list = Array.isArray(v) ? v : [v];
      if (!list.every((x) => ['string', 'boolean', 'number'].includes(typeof x)))
        throw malformedPolicy(
          `Syntax errors in policy: ${at}.Condition.${op}.${key} expected a value or a list of values`,
        );
    }
  }
}

function quotaName(use: PolicyUse): string {
  switch (use) {
    case 'user':
      return 'UserPolicySize';
    case 'group':
      return 'GroupPolicySize';
    case 'role':
      return 'RolePolicySize';
    case 'managed':
      return 'PolicySize';
    case 'trust':
      return 'ACLSizePerRole';
    case 'session':
      return 'PackedPolicySize';
  }
}

export interface IamTag {
  Key: string;
  Value: string;
}

/** Merges `add` into `tags` (keys compared without case, as IAM does), refusing duplicates and more than 50. */
export function mergeTags(tags: IamTag[], add: IamTag[] | undefined): IamTag[] {
  if (!add) return tags;
  const seen = new Set<string>();
  for (const t of add) {
    if (t.Key.toLowerCase().startsWith('aws:'))
      throw invalidInput(`Tag keys starting with 'aws:' are reserved for AWS use: ${t.Key}`);
    if (seen.has(t.Key.toLowerCase()))
      throw invalidInput(
        'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      );
    seen.add(t.Key.toLowerCase());
  }
  const out = tags.filter((t) => !seen.has(t.Key.toLowerCase()));
  out.push(...add.map((t) => ({ Key: t.Key, Value: t.Value ?? '' })));
  if (out.length > MAX_TAGS)
    throw limitExceeded(
      `Cannot exceed quota for TagsPerResource: ${MAX_TAGS}; would have ${out.length}`,
    );
  return out;
}

export const tagMap = (tags: IamTag[]): Record<string, string> =>
  Object.fromEntries(tags.map((t) => [t.Key, t.Value]));

/**
 * IAM's Marker/MaxItems paging over items named case-insensitively (the NOCASE name columns), put
 * in SQLite's NOCASE order here: ASCII lowercased, then compared code unit by code unit. A
 * PostgreSQL database orders those columns by its ICU collation, which sorts `+=,.@_-` otherwise,
 * and the marker below (the first name after it) relies on this order.
 */
export function pageByName<T>(
  items: T[],
  key: (t: T) => string,
  input: { Marker?: string; MaxItems?: number },
): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const nocase = (t: T) => key(t).toLowerCase();
  const sorted = [...items].sort((x, y) =>
    nocase(x) < nocase(y) ? -1 : nocase(x) > nocase(y) ? 1 : 0,
  );
  return page(sorted, key, input);
}

/** IAM's Marker/MaxItems paging over a list already in order; `key` names an item for the marker. */
export function page<T>(
  items: T[],
  key: (t: T) => string,
  input: { Marker?: string; MaxItems?: number },
): { items: T[]; IsTruncated: boolean; Marker?: string } {
  let from = 0;
  if (input.Marker !== undefined) {
    const after = Buffer.from(input.Marker, 'base64url').toString('utf8');
    from = items.findIndex((t) => key(t).toLowerCase() > after.toLowerCase());
    if (from < 0) from = items.length;
  }
  const max = input.MaxItems ?? 100;
  const slice = items.slice(from, from + max);
  const truncated = from + max < items.length;
  return truncated
    ? {
        items: slice,
        IsTruncated: true,
        Marker: Buffer.from(key(slice[slice.length - 1]!)).toString('base64url'),
      }
    : { items: slice, IsTruncated: false };
}

/** A path prefix filter: `/` matches everything. */
export const underPath = (path: string, prefix: string | undefined): boolean =>
  prefix === undefined || path.startsWith(prefix);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
