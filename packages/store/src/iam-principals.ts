import { sha256Hex } from './sha256-hex.js';
import type { StoreContext } from './context.js';
import { stmt, type Db } from './db.js';
import { iamRecord, policySha256 } from './iam-audit.js';
import { iamWrite, recentIamGeneration } from './iam-generation.js';
import { iamValidation } from './iam-errors.js';
import { boundaryOf } from './iam-boundaries.js';
import { groupsOfUser } from './iam-groups.js';
import { newId, newSecret, newSessionToken } from './iam-ids.js';
import { entityOfArn, inlineDocuments, inlinePolicies, type EntityKind } from './iam-inline.js';
import { keyAad, type AccessKeyRow } from './iam-keys.js';
import { attachedDocuments, attachedPolicies } from './iam-managed.js';
import { roleArn, roleRow } from './iam-roles.js';
import { userArn, userRow } from './iam-users.js';
import { checkPolicyDocument, tagMap, type IamTag } from './iam-validate.js';
import { sealCurrent, unsealCurrent } from './key-check-value.js';

/** What the policies of a principal are: the shape `@fwsign/iam`'s Principal takes. */
export interface IamPrincipal {
  arn: string;
  accountId: string;
  kind: 'user' | 'assumed-role';
  identityPolicies: string[];
  /** The default version of the user's or the role's permissions boundary policy, if it has one. */
  permissionsBoundary?: string;
  /** For a role session: the role's ARN with its path. */
  roleArn?: string;
  sessionPolicy?: string;
  tags: Record<string, string>;
  /** aws:userid: AIDA… for a user, AROA…:session for a role session. */
  userId: string;
  /** The user's name (GetUser, CreateAccessKey without UserName answer for it). */
  userName?: string;
}

/** An access key the store issued, its secret opened, with the principal it stands for. */
export interface ResolvedKey {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  principal: IamPrincipal;
  /** Inactive keys are refused by the API (InvalidClientTokenId), as AWS refuses them. */
  active: boolean;
  /** Temporary credentials only: the SHA-256 (hex) of the session token, and the expiry. */
  sessionTokenSha256?: string;
  expiresAt?: Date;
  /** Past `expiresAt` by the store's clock (the one that set it). */
  expired?: boolean;
  /**
   * The IAM generation (iam-generation.ts) read by this lookup: the answer is current as of it,
   * and so are facts read after it (the API keys its cache of profile facts by it).
   */
  generation: number;
}

/** The principal of a user: its own policies, its groups' inline and attached policies, its tags. */
function userPrincipal(ctx: StoreContext, account: string, name: string): IamPrincipal {
  const u = userRow(ctx, account, name);
  const policies = [...entityPolicies(ctx, account, 'user', u.name)];
  for (const g of groupsOfUser(ctx, account, u.name))
    policies.push(...entityPolicies(ctx, account, 'group', g.name));
  return {
    arn: userArn(account, u.path, u.name),
    accountId: account,
    kind: 'user',
    identityPolicies: policies,
    ...boundaryField(ctx, account, u.permissions_boundary),
    tags: tagMap(JSON.parse(u.tags) as IamTag[]),
    userId: u.user_id,
    userName: u.name,
  };
}

const boundaryField = (
  ctx: StoreContext,
  account: string,
  arn: string | null,
): { permissionsBoundary?: string } => {
  const b = boundaryOf(ctx, account, arn);
  return b ? { permissionsBoundary: b.document } : {};
};

const entityPolicies = (
  ctx: StoreContext,
  account: string,
  kind: EntityKind,
  name: string,
): string[] => [
  ...inlineDocuments(ctx, account, kind, name),
  ...attachedDocuments(ctx, account, kind, name),
];

/**
 * Resolved keys and users of one database, good while its IAM generation is unchanged. The
 * generation is the recent one (recentIamGeneration): a write made by this process (a revoked
 * key, a detached policy, through the server or any store it opened) is seen by the next request,
 * one committed by another process within OTHER_PROCESS_WRITES_SEEN_WITHIN_MS — not one read
 * transaction per request.
 */
interface Cache {
  generation: number;
  keys: Map<string, ResolvedKey>;
  users: Map<string, IamPrincipal | null>;
}
const caches = new WeakMap<Db, Cache>();
/** Bounds each map: cleared when full (a flood of made-up keys is not cached at all). */
const MAX_CACHED = 10_000;

function cacheOf(ctx: StoreContext): Cache {
  const generation = recentIamGeneration(ctx.db);
  let c = caches.get(ctx.db);
  if (!c || c.generation !== generation) {
    c = { generation, keys: new Map(), users: new Map() };
    caches.set(ctx.db, c);
  }
  return c;
}

function remember<K, V>(map: Map<K, V>, k: K, v: V): V {
  if (map.size >= MAX_CACHED) map.clear();
  map.set(k, v);
  return v;
}

/**
 * The access key `accessKeyId` if the store issued it (an IAM user's AKIA… key or an STS
 * session's ASIA… key), or undefined. Expired sessions are still answered (`expired`) so the
 * caller can say ExpiredToken rather than "unknown key". Cached until the next IAM write: the
 * secret is opened and the policies gathered once, not on every request.
 */
export async function resolveAccessKey(
  ctx: StoreContext,
  accessKeyId: string,
): Promise<ResolvedKey | undefined> {
  const cache = cacheOf(ctx);
  let k = cache.keys.get(accessKeyId);
  if (!k) {
    const found = accessKeyId.startsWith('ASIA')
      ? resolveSession(ctx, accessKeyId, cache.generation)
      : resolveUserKey(ctx, accessKeyId, cache.generation);
    if (!found) return undefined;
    k = remember(cache.keys, accessKeyId, found);
  }
  return k.expiresAt ? { ...k, expired: ctx.now().getTime() >= k.expiresAt.getTime() } : k;
}

function resolveUserKey(
  ctx: StoreContext,
  accessKeyId: string,
  generation: number,
): ResolvedKey | undefined {
  const k = stmt(ctx.db, 'SELECT * FROM iam_access_keys WHERE access_key_id = ?').get(
    accessKeyId,
  ) as AccessKeyRow | undefined;
  if (!k) return undefined;
  return {
    accessKeyId,
    secretAccessKey: Buffer.from(
      unsealCurrent(ctx.db, ctx.masterKey, k.secret_ciphertext, keyAad(accessKeyId)),
    ).toString(),
    accountId: k.account,
    principal: userPrincipal(ctx, k.account, k.user_name),
    active: k.status === 'Active',
    generation,
  };
}

interface SessionRow {
  access_key_id: string;
  account: string;
  role_name: string;
  role_id: string;
  session_name: string;
  secret_ciphertext: Buffer;
  token_sha256: string;
  session_policy: string | null;
  expires_at: number;
}

function resolveSession(
  ctx: StoreContext,
  accessKeyId: string,
  generation: number,
): ResolvedKey | undefined {
  const s = stmt(ctx.db, 'SELECT * FROM iam_sessions WHERE access_key_id = ?').get(accessKeyId) as
    SessionRow | undefined;
  if (!s) return undefined;
  const role = stmt(
    ctx.db,
    'SELECT * FROM iam_roles WHERE account = ? AND name = ? AND role_id = ?',
  ).get(s.account, s.role_name, s.role_id) as
    { tags: string; path: string; permissions_boundary: string | null } | undefined;
  // A role deleted (or deleted and made again) since: its sessions end with it.
  if (!role) return undefined;
  return {
    accessKeyId,
    secretAccessKey: Buffer.from(
      unsealCurrent(ctx.db, ctx.masterKey, s.secret_ciphertext, keyAad(accessKeyId)),
    ).toString(),
    accountId: s.account,
    principal: {
      arn: `arn:aws:sts::${s.account}:assumed-role/${s.role_name}/${s.session_name}`,
      accountId: s.account,
      kind: 'assumed-role',
      // What aws:PrincipalArn holds and resource policies name: the role, with its path.
      roleArn: roleArn(s.account, role.path, s.role_name),
      identityPolicies: entityPolicies(ctx, s.account, 'role', s.role_name),
      // A session is bounded by its role's boundary, as it is by the role's policies.
      ...boundaryField(ctx, s.account, role.permissions_boundary),
      ...(s.session_policy !== null ? { sessionPolicy: s.session_policy } : {}),
      tags: tagMap(JSON.parse(role.tags) as IamTag[]),
      userId: `${s.role_id}:${s.session_name}`,
    },
    active: true,
    sessionTokenSha256: s.token_sha256,
    expiresAt: new Date(s.expires_at),
    generation,
  };
}

/** A role's ARN and trust policy (the API evaluates the trust policy before AssumeRole). */
export async function roleTrust(
  ctx: StoreContext,
  account: string,
  roleName: string,
): Promise<{ arn: string; trustPolicy: string; maxSessionDuration: number }> {
  const r = roleRow(ctx, account, roleName);
  return {
    arn: roleArn(account, r.path, r.name),
    trustPolicy: r.trust_policy,
    maxSessionDuration: r.max_session_duration,
  };
}

/** Sessions are kept a day past expiry, so a late caller hears ExpiredToken, then forgotten. */
const KEEP_EXPIRED_MS = 24 * 3600_000;

/**
 * STS AssumeRole after the API has checked the trust policy: a new ASIA… key, its secret sealed,
 * the session token kept only as its SHA-256. DurationSeconds 900 up to the role's
 * MaxSessionDuration (default 3600).
 */
export async function createSession(
  ctx: StoreContext,
  account: string,
  input: { RoleName: string; RoleSessionName: string; DurationSeconds?: number; Policy?: string },
) {
  if (input.Policy !== undefined) checkPolicyDocument(input.Policy, 'session');
  return iamWrite(ctx, () => {
    const r = roleRow(ctx, account, input.RoleName);
    const duration = input.DurationSeconds ?? 3600;
    if (duration < 900 || duration > r.max_session_duration)
      throw iamValidation(
        `The requested DurationSeconds exceeds the MaxSessionDuration set for this role: expected 900 to ${r.max_session_duration}, got ${duration}.`,
      );
    const now = ctx.now().getTime();
    stmt(ctx.db, 'DELETE FROM iam_sessions WHERE expires_at < ?').run(now - KEEP_EXPIRED_MS);
    const id = newId('ASIA');
    const secret = newSecret();
    const token = newSessionToken();
    const expires = Math.floor((now + duration * 1000) / 1000) * 1000;
    stmt(
      ctx.db,
      'INSERT INTO iam_sessions (access_key_id, account, role_name, role_id, session_name, secret_ciphertext, token_sha256, session_policy, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      id,
      account,
      r.name,
      r.role_id,
      input.RoleSessionName,
      sealCurrent(ctx.db, ctx.masterKey, Buffer.from(secret), keyAad(id)),
      sha256Hex(token),
      input.Policy ?? null,
      expires,
      now,
    );
    const assumed = `arn:aws:sts::${account}:assumed-role/${r.name}/${input.RoleSessionName}`;
    // The session's key id (as CloudTrail records it), never its secret nor its token.
    iamRecord(ctx, account, 'sts.assume-role', [roleArn(account, r.path, r.name), assumed], {
      accessKeyId: id,
      roleSessionName: input.RoleSessionName,
      expiration: new Date(expires).toISOString(),
      sessionPolicySha256: input.Policy === undefined ? undefined : policySha256(input.Policy),
    });
    return {
      Credentials: {
        AccessKeyId: id,
        SecretAccessKey: secret,
        SessionToken: token,
        Expiration: new Date(expires),
      },
      AssumedRoleUser: {
        AssumedRoleId: `${r.role_id}:${input.RoleSessionName}`,
        Arn: assumed,
      },
    };
  });
}

/** A policy in force, named as IAM's simulator reports it: an inline policy's name or a managed policy's ARN. */
export interface SourcePolicy {
  document: string;
  id: string;
  type: 'user' | 'group' | 'role' | 'user-managed';
}

/**
 * SimulatePrincipalPolicy's PolicySourceArn: the identity policies in force for a user (its own
 * and its groups'), a group or a role of `account`, inline and attached (default versions).
 */
export async function policiesOfArn(
  ctx: StoreContext,
  account: string,
  arn: string,
): Promise<SourcePolicy[]> {
  const { kind, name } = entityOfArn(ctx, account, arn);
  const entities: Array<[EntityKind, string]> = [[kind, name]];
  if (kind === 'user')
    for (const g of groupsOfUser(ctx, account, name)) entities.push(['group', g.name]);
  return entities.flatMap(([k, n]) => [
    ...inlinePolicies(ctx, account, k, n).map((p) => ({
      document: p.document,
      id: p.name,
      type: k,
    })),
    ...attachedPolicies(ctx, account, k, n).map((p) => ({
      document: p.document,
      id: p.arn,
      type: 'user-managed' as const,
    })),
  ]);
}

/** The recent IAM generation (recentIamGeneration): what a cache of authorization facts is checked against. */
export async function generation(ctx: StoreContext): Promise<number> {
  return recentIamGeneration(ctx.db);
}

/** The principal behind a user ARN from credentials.json, when that user exists in IAM (cached as keys are). */
export async function principalOfUserArn(
  ctx: StoreContext,
  arn: string,
): Promise<IamPrincipal | undefined> {
  const cache = cacheOf(ctx);
  const hit = cache.users.get(arn);
  if (hit !== undefined) return hit ?? undefined;
  const m = /^arn:aws:iam::(\d{12}):user(\/(?:.*\/)?)([\w+=,.@-]+)$/.exec(arn);
  const row =
    m && stmt(ctx.db, 'SELECT name FROM iam_users WHERE account = ? AND name = ?').get(m[1], m[3]);
  return remember(cache.users, arn, row ? userPrincipal(ctx, m[1]!, m[3]!) : null) ?? undefined;
}
