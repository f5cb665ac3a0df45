import { randomUUID } from 'node:crypto';
import { parseProfileArn, profileArn } from './arns.js';
import { record } from './audit.js';
import type { StoreContext } from './context.js';
import { immediate, stmt } from './db.js';
import { bumpIamGeneration } from './iam-generation.js';
import {
  AccessDeniedException,
  ConflictException,
  ResourceNotFoundException,
  ServiceLimitExceededException,
  ValidationException,
} from './errors.js';
import type { ProfileRow } from './profile-row.js';
import { arnOf, loadProfile, versionArnOf } from './profile-row.js';
import type { Identity } from './validate.js';
import {
  PROFILE_VERSION,
  checkAccountId,
  checkIdentity,
  checkPattern,
  checkProfileName,
  describe,
  requireString,
} from './validate.js';

export const PROFILE_ACTIONS = [
  'signer:StartSigningJob',
  'signer:GetSigningProfile',
  'signer:RevokeSignature',
  'signer:SignPayload',
] as const;
export type ProfileAction = (typeof PROFILE_ACTIONS)[number];

/**
 * The size limit of a profile's resource policy. AWS does not publish Signer's;
 * we use Lambda's documented resource-policy limit (20 KB), the closest AWS
 * analogue of a per-resource cross-account policy.
 */
export const MAX_POLICY_BYTES = 20_480;

const STATEMENT_ID = /^[a-zA-Z0-9_.-]{1,100}$/;
const PRINCIPAL = /^(?:[0-9]{12}|arn:aws:(?:iam|sts)::[0-9]{12}:[\x21-\x7e]+)$/;
const PAGE = 25;

interface PermissionRow {
  statement_id: string;
  action: string;
  principal: string;
  profile_version: string | null;
  seq: number;
}

export interface Permission {
  action: string;
  principal: string;
  statementId: string;
  profileVersion?: string;
}

/** A reference to a profile as the API sees it: by name (and owner for cross-account), or by ARN. */
export type ProfileRef = { profileName: string; profileOwner?: string } | string;

/**
 * The one authorization rule of the store: the owner account may do anything with
 * its profile; any other caller only what a statement of the profile's resource
 * policy grants (action, principal, and profile version if the statement names one).
 */
export function authorizeProfile(
  ctx: StoreContext,
  id: Identity,
  action: ProfileAction,
  profile: ProfileRow,
): void {
  if (profile.account === id.accountId) return;
  const rows = stmt(
    ctx.db,
    'SELECT statement_id, action, principal, profile_version, seq FROM permissions WHERE account = ? AND profile_name = ? AND action = ?',
  ).all(profile.account, profile.name, action) as PermissionRow[];
  for (const r of rows) {
    if (r.profile_version !== null && r.profile_version !== profile.profile_version) continue;
    if (principalMatches(r.principal, id)) return;
  }
  throw denied(ctx, id, action, profile.account, profile.name);
}

/** Resolves a ProfileRef and authorizes; a missing profile of another account is AccessDenied (existence is not disclosed). */
export function authorizeRef(
  ctx: StoreContext,
  id: Identity,
  action: ProfileAction,
  ref: ProfileRef,
): ProfileRow {
  checkIdentity(id);
  if (!(PROFILE_ACTIONS as readonly string[]).includes(action)) {
    throw new ValidationException(
      `action: expected one of [${PROFILE_ACTIONS.join(', ')}], got ${describe(action)}`,
    );
  }
  let owner: string;
  let name: string;
  if (typeof ref === 'string') {
    const p = parseProfileArn(ref);
    if (!p)
      throw new ValidationException(
        `profile: expected a signing profile ARN, got ${JSON.stringify(ref)}`,
      );
    owner = p.account;
    name = p.name;
  } else {
    name = checkProfileName(ref?.profileName);
    owner =
      ref.profileOwner === undefined
        ? id.accountId
        : checkAccountId('profileOwner', ref.profileOwner);
  }
  const row = loadProfile(ctx, owner, name);
  if (!row) {
    if (owner !== id.accountId) throw denied(ctx, id, action, owner, name);
    throw new ResourceNotFoundException(
      `profileName: signing profile ${JSON.stringify(name)} does not exist in account ${owner}`,
    );
  }
  authorizeProfile(ctx, id, action, row);
  return row;
}

function denied(
  ctx: StoreContext,
  id: Identity,
  action: string,
  owner: string,
  name: string,
): AccessDeniedException {
  return new AccessDeniedException(
    `${id.principalArn} is not authorized to perform ${action} on arn:aws:signer:${ctx.region}:${owner}:/signing-profiles/${name}`,
  );
}

function principalMatches(principal: string, id: Identity): boolean {
  if (/^[0-9]{12}$/.test(principal)) return principal === id.accountId;
  if (principal === `arn:aws:iam::${id.accountId}:root`) return true;
  if (principal === id.principalArn) return true;
  // A role principal also covers its assumed-role sessions, as in IAM.
  const role = /^arn:aws:iam::([0-9]{12}):role\/(?:.*\/)?([^/]+)$/.exec(principal);
  const session = /^arn:aws:sts::([0-9]{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(id.principalArn);
  return role !== null && session !== null && role[1] === session[1] && role[2] === session[2];
}

/** The IAM-style resource policy document of a profile, as AWS would store it. */
function policyDocument(
  ctx: StoreContext,
  profile: ProfileRow,
  rows: readonly PermissionRow[],
): string {
  const statements = rows.map((r) => ({
    Sid: r.statement_id,
    Effect: 'Allow',
    Principal: {
      AWS: /^[0-9]{12}$/.test(r.principal) ? `arn:aws:iam::${r.principal}:root` : r.principal,
    },
    Action: r.action,
    Resource:
      r.profile_version === null
        ? arnOf(ctx, profile)
        : versionArnOf(ctx, { ...profile, profile_version: r.profile_version }),
  }));
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

function statements(ctx: StoreContext, profile: ProfileRow): PermissionRow[] {
  return stmt(
    ctx.db,
    'SELECT statement_id, action, principal, profile_version, seq FROM permissions WHERE account = ? AND profile_name = ? ORDER BY seq',
  ).all(profile.account, profile.name) as PermissionRow[];
}

function ownProfile(ctx: StoreContext, id: Identity, name: string): ProfileRow {
  const row = loadProfile(ctx, id.accountId, name);
  if (!row)
    throw new ResourceNotFoundException(
      `profileName: signing profile ${JSON.stringify(name)} does not exist in account ${id.accountId}`,
    );
  return row;
}

export function addProfilePermission(
  ctx: StoreContext,
  id: Identity,
  input: {
    profileName: string;
    action: string;
    principal: string;
    statementId: string;
    profileVersion?: string;
    revisionId?: string;
  },
): { revisionId: string } {
  checkIdentity(id);
  const name = checkProfileName(input?.profileName);
  const action = requireString('action', input.action);
  if (!(PROFILE_ACTIONS as readonly string[]).includes(action)) {
    throw new ValidationException(
      `action: expected one of [${PROFILE_ACTIONS.join(', ')}], got ${JSON.stringify(action)}`,
    );
  }
  const principal = checkPattern(
    'principal',
    input.principal,
    PRINCIPAL,
    'a 12-digit account id or an IAM/STS ARN',
  );
  const statementId = checkPattern(
    'statementId',
    input.statementId,
    STATEMENT_ID,
    '1-100 characters of [a-zA-Z0-9_.-]',
  );
  const version =
    input.profileVersion === undefined
      ? undefined
      : checkPattern('profileVersion', input.profileVersion, PROFILE_VERSION, '10 alphanumerics');
  return immediate(ctx.db, () => {
    const profile = ownProfile(ctx, id, name);
    checkRevision(profile, input.revisionId, false);
    if (version !== undefined && version !== profile.profile_version) {
      throw new ValidationException(
        `profileVersion: expected the current version ${profile.profile_version} of ${name}, got ${version}`,
      );
    }
    const rows = statements(ctx, profile);
    if (rows.some((r) => r.statement_id === statementId)) {
      throw new ConflictException(
        `statementId: a statement ${JSON.stringify(statementId)} already exists on profile ${name}`,
      );
    }
    const next: PermissionRow = {
      statement_id: statementId,
      action,
      principal,
      profile_version: version ?? null,
      seq: (rows[rows.length - 1]?.seq ?? 0) + 1,
    };
    const size = Buffer.byteLength(policyDocument(ctx, profile, [...rows, next]));
    if (size > MAX_POLICY_BYTES) {
      throw new ServiceLimitExceededException(
        `policy of profile ${name}: adding statement ${JSON.stringify(statementId)} makes it ${size} bytes, the limit is ${MAX_POLICY_BYTES}`,
      );
    }
    stmt(
      ctx.db,
      'INSERT INTO permissions (account, profile_name, statement_id, action, principal, profile_version, seq) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(
      profile.account,
      profile.name,
      statementId,
      action,
      principal,
      next.profile_version,
      next.seq,
    );
    record(ctx, {
      kind: 'permission.add',
      actor: id.principalArn,
      subjects: [profileArn(ctx.region, profile.account, profile.name)],
      details: { statementId, action, principal, profileVersion: version },
    });
    return { revisionId: bumpRevision(ctx, profile) };
  });
}

export function removeProfilePermission(
  ctx: StoreContext,
  id: Identity,
  input: { profileName: string; statementId: string; revisionId: string },
): { revisionId: string } {
  checkIdentity(id);
  const name = checkProfileName(input?.profileName);
  const statementId = requireString('statementId', input.statementId);
  const revisionId = requireString('revisionId', input.revisionId);
  return immediate(ctx.db, () => {
    const profile = ownProfile(ctx, id, name);
    checkRevision(profile, revisionId, true);
    const r = stmt(
      ctx.db,
      'DELETE FROM permissions WHERE account = ? AND profile_name = ? AND statement_id = ?',
    ).run(profile.account, profile.name, statementId);
    if (r.changes === 0) {
      throw new ResourceNotFoundException(
        `statementId: no statement ${JSON.stringify(statementId)} on profile ${name}`,
      );
    }
    record(ctx, {
      kind: 'permission.remove',
      actor: id.principalArn,
      subjects: [profileArn(ctx.region, profile.account, profile.name)],
      details: { statementId },
    });
    return { revisionId: bumpRevision(ctx, profile) };
  });
}

export function listProfilePermissions(
  ctx: StoreContext,
  id: Identity,
  input: { profileName: string; nextToken?: string },
): { revisionId?: string; policySizeBytes: number; permissions: Permission[]; nextToken?: string } {
  checkIdentity(id);
  const name = checkProfileName(input?.profileName);
  const profile = ownProfile(ctx, id, name);
  const scope = { op: 'ListProfilePermissions', account: id.accountId, filters: name };
  const after = input.nextToken === undefined ? 0 : ctx.tokens.open<number>(scope, input.nextToken);
  const rows = statements(ctx, profile);
  const page = rows.filter((r) => r.seq > after).slice(0, PAGE + 1);
  const shown = page.slice(0, PAGE);
  const out: {
    revisionId?: string;
    policySizeBytes: number;
    permissions: Permission[];
    nextToken?: string;
  } = {
    policySizeBytes: rows.length === 0 ? 0 : Buffer.byteLength(policyDocument(ctx, profile, rows)),
    permissions: shown.map((r) => ({
      action: r.action,
      principal: r.principal,
      statementId: r.statement_id,
      ...(r.profile_version !== null ? { profileVersion: r.profile_version } : {}),
    })),
  };
  if (profile.policy_revision !== null) out.revisionId = profile.policy_revision;
  const last = shown[shown.length - 1];
  if (page.length > PAGE && last) out.nextToken = ctx.tokens.seal(scope, last.seq);
  return out;
}

/**
 * Optimistic concurrency on the policy: a caller passes the revision it read;
 * any other value means someone changed the policy since, so the change is
 * refused rather than silently merged.
 */
function checkRevision(
  profile: ProfileRow,
  revisionId: string | undefined,
  required: boolean,
): void {
  if (revisionId === undefined && !required) return;
  if (revisionId !== profile.policy_revision) {
    throw new ConflictException(
      `revisionId: expected the current revision ${profile.policy_revision ?? '(none)'} of profile ${profile.name}'s policy, got ${JSON.stringify(revisionId)}`,
    );
  }
}

function bumpRevision(ctx: StoreContext, profile: ProfileRow): string {
  const revisionId = randomUUID();
  // The profile's resource policy changed: authorization's cached facts of it are stale.
  bumpIamGeneration(ctx.db);
  stmt(ctx.db, 'UPDATE profiles SET policy_revision = ? WHERE account = ? AND name = ?').run(
    revisionId,
    profile.account,
    profile.name,
  );
  return revisionId;
}

/**
 * What IAM authorization needs of a profile, in one read: its tags (aws:ResourceTag/…), its
 * version (signer:ProfileVersion) and its permissions as the resource policy AWS would show (one
 * statement per permission; undefined when it grants nothing). Undefined when there is no profile.
 */
export function profileFacts(
  ctx: StoreContext,
  account: string,
  name: string,
): { tags: Record<string, string>; profileVersion: string; policy?: string } | undefined {
  const profile = loadProfile(ctx, account, name);
  if (!profile) return undefined;
  const rows = statements(ctx, profile);
  return {
    tags: JSON.parse(profile.tags) as Record<string, string>,
    profileVersion: profile.profile_version,
    ...(rows.length > 0 ? { policy: policyDocument(ctx, profile, rows) } : {}),
  };
}
