import { randomInt } from 'node:crypto';
import { getSigningPlatform, managedPlatformKind } from '@fwsign/signing-engine';
import { profileArn, profileVersionArn } from './arns.js';
import { record } from './audit.js';
import type { StoreContext } from './context.js';
import { parseJson } from './context.js';
import { immediate, stmt } from './db.js';
import { BadRequestException, ResourceNotFoundException, ValidationException } from './errors.js';
import { issueProfileKey } from './managed-keys.js';
import {
  checkCertificate,
  checkOverrides,
  checkSigningParameters,
  checkStatuses,
  effectiveConfiguration,
  managedConfiguration,
} from './profile-input.js';
import { authorizeRef } from './permissions.js';
import type {
  ProfileRow,
  ProfileStatus,
  SigningPlatformOverrides,
  SigningProfileRevocationRecord,
} from './profile-row.js';
import {
  arnOf,
  loadProfile,
  overridesOf,
  revocationRecordOf,
  signingParametersOf,
  versionArnOf,
} from './profile-row.js';
import { MAX_TAGS_PER_PROFILE, checkTagMap } from './tags.js';
import type { TagMap } from './tags.js';
import type { Identity } from './validate.js';
import {
  PROFILE_VERSION,
  checkDate,
  checkIdentity,
  checkLength,
  checkMaxResults,
  checkPattern,
  checkProfileName,
  describe,
  requireString,
} from './validate.js';
import type { ValidityType } from './validity.js';
import { checkValidityPeriod } from './validity.js';

export interface PutSigningProfileRequest {
  profileName: string;
  platformId: string;
  signingMaterial?: { certificateArn: string };
  signatureValidityPeriod?: { value?: number; type?: ValidityType };
  overrides?: SigningPlatformOverrides;
  signingParameters?: Record<string, string>;
  tags?: TagMap;
}
export interface PutSigningProfileResponse {
  arn: string;
  profileVersion: string;
  profileVersionArn: string;
}

export interface GetSigningProfileResponse {
  profileName: string;
  profileVersion: string;
  profileVersionArn: string;
  revocationRecord?: SigningProfileRevocationRecord;
  signingMaterial?: { certificateArn: string };
  platformId: string;
  platformDisplayName: string;
  signatureValidityPeriod: { value: number; type: ValidityType };
  overrides?: SigningPlatformOverrides;
  signingParameters?: Record<string, string>;
  status: ProfileStatus;
  statusReason?: string;
  arn: string;
  tags?: TagMap;
}

export interface SigningProfile {
  profileName: string;
  profileVersion: string;
  profileVersionArn: string;
  signingMaterial?: { certificateArn: string };
  signatureValidityPeriod: { value: number; type: ValidityType };
  platformId: string;
  platformDisplayName: string;
  signingParameters?: Record<string, string>;
  status: ProfileStatus;
  arn: string;
  tags?: TagMap;
}

const VERSION_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function newProfileVersion(): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += VERSION_ALPHABET[randomInt(VERSION_ALPHABET.length)];
  return s;
}

const badTags = (m: string) => new BadRequestException(m);

export function putSigningProfile(
  ctx: StoreContext,
  id: Identity,
  input: PutSigningProfileRequest,
): PutSigningProfileResponse {
  checkIdentity(id);
  const name = checkProfileName(input?.profileName);
  const platformId = requireString('platformId', input.platformId);
  const overrides = checkOverrides(input.overrides);
  const managed = managedPlatformKind(platformId) !== undefined;
  const config = managed ? undefined : effectiveConfiguration(platformId, overrides);
  if (managed) managedConfiguration(platformId, overrides);
  const now = ctx.now();
  const validity = checkValidityPeriod(input.signatureValidityPeriod, now);
  const signingParameters = checkSigningParameters(input.signingParameters);
  // The PutSigningProfile reference lists BadRequestException for bad tags, as TagResource does.
  const tags = input.tags === undefined ? {} : checkTagMap('tags', input.tags, badTags);
  if (Object.keys(tags).length > MAX_TAGS_PER_PROFILE)
    throw badTags(
      `tags: a profile can have at most ${MAX_TAGS_PER_PROFILE} tags, got ${Object.keys(tags).length}`,
    );
  // Lambda and Notation sign with keys Signer generates; the IoT platforms with an imported ACM certificate.
  if (managed && input.signingMaterial !== undefined && input.signingMaterial !== null)
    throw new ValidationException(
      `signingMaterial: platform ${platformId} signs with Signer-managed keys, so its profiles take no signingMaterial; got ${describe(input.signingMaterial)}`,
    );
  const certArn = managed
    ? null
    : requireString('signingMaterial.certificateArn', input.signingMaterial?.certificateArn);

  return immediate(ctx.db, () => {
    if (certArn !== null && config) checkCertificate(ctx, id, certArn, config, now);
    const existing = loadProfile(ctx, id.accountId, name);
    if (existing) {
      // AWS treats PutSigningProfile as create-only: an existing name, whatever its
      // status (a Canceled name stays reserved), is refused rather than updated.
      throw new ValidationException(
        `profileName: a signing profile named ${JSON.stringify(name)} already exists in account ${id.accountId} (status ${existing.status}); profile names cannot be reused`,
      );
    }
    const version = newProfileVersion();
    stmt(
      ctx.db,
      `INSERT INTO profiles (account, name, profile_version, platform_id, certificate_arn, validity_value, validity_type, overrides, signing_parameters, tags, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Active', ?)`,
    ).run(
      id.accountId,
      name,
      version,
      platformId,
      certArn,
      validity.value,
      validity.type,
      overrides ? JSON.stringify(overrides) : null,
      signingParameters ? JSON.stringify(signingParameters) : null,
      JSON.stringify(tags),
      now.getTime(),
    );
    if (managed) issueProfileKey(ctx, id.accountId, name, version);
    record(ctx, {
      kind: 'profile.put',
      actor: id.principalArn,
      subjects: [profileVersionArn(ctx.region, id.accountId, name, version)],
      details: { platformId, certificateArn: certArn },
    });
    return {
      arn: profileArn(ctx.region, id.accountId, name),
      profileVersion: version,
      profileVersionArn: profileVersionArn(ctx.region, id.accountId, name, version),
    };
  });
}

export function getSigningProfile(
  ctx: StoreContext,
  id: Identity,
  input: { profileName: string; profileOwner?: string },
): GetSigningProfileResponse {
  const p = authorizeRef(ctx, id, 'signer:GetSigningProfile', {
    profileName: input?.profileName,
    ...(input?.profileOwner !== undefined ? { profileOwner: input.profileOwner } : {}),
  });
  const out: GetSigningProfileResponse = {
    profileName: p.name,
    profileVersion: p.profile_version,
    profileVersionArn: versionArnOf(ctx, p),
    platformId: p.platform_id,
    platformDisplayName: getSigningPlatform(p.platform_id)?.displayName ?? p.platform_id,
    signatureValidityPeriod: { value: p.validity_value, type: p.validity_type },
    status: p.status,
    arn: arnOf(ctx, p),
  };
  if (p.certificate_arn !== null) out.signingMaterial = { certificateArn: p.certificate_arn };
  const overrides = overridesOf(p);
  if (overrides) out.overrides = overrides;
  const params = signingParametersOf(p);
  if (params) out.signingParameters = params;
  const rr = revocationRecordOf(p);
  if (rr) {
    out.revocationRecord = rr;
    if (p.revoked_reason !== null) out.statusReason = p.revoked_reason;
  }
  // Tags are the owner's business; a cross-account reader does not see them.
  if (p.account === id.accountId) {
    const tags = tagsOf(p);
    if (tags) out.tags = tags;
  }
  return out;
}

export function listSigningProfiles(
  ctx: StoreContext,
  id: Identity,
  input: {
    includeCanceled?: boolean;
    maxResults?: number;
    nextToken?: string;
    platformId?: string;
    statuses?: ProfileStatus[];
  } = {},
): { profiles: SigningProfile[]; nextToken?: string } {
  checkIdentity(id);
  const max = checkMaxResults(input.maxResults);
  const statuses = input.statuses === undefined ? undefined : checkStatuses(input.statuses);
  if (input.includeCanceled !== undefined && typeof input.includeCanceled !== 'boolean') {
    throw new ValidationException(
      `includeCanceled: expected a boolean, got ${describe(input.includeCanceled)}`,
    );
  }
  const platformId =
    input.platformId === undefined ? undefined : requireString('platformId', input.platformId);
  // Canceled profiles are hidden unless includeCanceled is set or the caller asks for that status by name.
  const showCanceled = input.includeCanceled === true || (statuses?.includes('Canceled') ?? false);
  const filters = { statuses: statuses ?? null, showCanceled, platformId: platformId ?? null };
  const scope = { op: 'ListSigningProfiles', account: id.accountId, filters };
  const after =
    input.nextToken === undefined ? '' : ctx.tokens.open<string>(scope, input.nextToken);
  const where = ['account = ?', 'name > ?'];
  const args: unknown[] = [id.accountId, after];
  if (!showCanceled) where.push("status <> 'Canceled'");
  if (statuses) {
    where.push(`status IN (${statuses.map(() => '?').join(', ')})`);
    args.push(...statuses);
  }
  if (platformId) {
    where.push('platform_id = ?');
    args.push(platformId);
  }
  const rows = stmt(
    ctx.db,
    `SELECT * FROM profiles WHERE ${where.join(' AND ')} ORDER BY name LIMIT ?`,
  ).all(...args, max + 1) as ProfileRow[];
  const page = rows.slice(0, max);
  const profiles = page.map((p): SigningProfile => {
    const out: SigningProfile = {
      profileName: p.name,
      profileVersion: p.profile_version,
      profileVersionArn: versionArnOf(ctx, p),
      signatureValidityPeriod: { value: p.validity_value, type: p.validity_type },
      platformId: p.platform_id,
      platformDisplayName: getSigningPlatform(p.platform_id)?.displayName ?? p.platform_id,
      status: p.status,
      arn: arnOf(ctx, p),
    };
    const tags = tagsOf(p);
    if (tags) out.tags = tags;
    if (p.certificate_arn !== null) out.signingMaterial = { certificateArn: p.certificate_arn };
    const params = signingParametersOf(p);
    if (params) out.signingParameters = params;
    return out;
  });
  const last = page[page.length - 1];
  return rows.length > max && last
    ? { profiles, nextToken: ctx.tokens.seal(scope, last.name) }
    : { profiles };
}

/** AWS omits `tags` for an untagged profile rather than answering `{}`. */
function tagsOf(p: ProfileRow): TagMap | undefined {
  const tags = parseJson<TagMap>(p.tags) ?? {};
  return Object.keys(tags).length > 0 ? tags : undefined;
}

function ownProfile(ctx: StoreContext, id: Identity, name: string): ProfileRow {
  const row = loadProfile(ctx, id.accountId, name);
  if (!row)
    throw new ResourceNotFoundException(
      `profileName: signing profile ${JSON.stringify(name)} does not exist in account ${id.accountId}`,
    );
  return row;
}

/** Canceling is final and idempotent: a Canceled profile stays Canceled and keeps its name reserved. */
export function cancelSigningProfile(
  ctx: StoreContext,
  id: Identity,
  input: { profileName: string },
): void {
  checkIdentity(id);
  const name = checkProfileName(input?.profileName);
  immediate(ctx.db, () => {
    const p = ownProfile(ctx, id, name);
    if (p.status === 'Canceled') return;
    stmt(
      ctx.db,
      "UPDATE profiles SET status = 'Canceled', canceled_at = ? WHERE account = ? AND name = ?",
    ).run(ctx.now().getTime(), p.account, p.name);
    record(ctx, {
      kind: 'profile.cancel',
      actor: id.principalArn,
      subjects: [profileVersionArn(ctx.region, p.account, p.name, p.profile_version)],
    });
  });
}

/**
 * The Signer developer guide: the effective time must not be in the future; a
 * repeated revocation may move it earlier but never later.
 */
export function revokeSigningProfile(
  ctx: StoreContext,
  id: Identity,
  input: { profileName: string; profileVersion: string; reason: string; effectiveTime: Date },
): void {
  checkIdentity(id);
  const name = checkProfileName(input?.profileName);
  const version = checkPattern(
    'profileVersion',
    input.profileVersion,
    PROFILE_VERSION,
    '10 alphanumerics',
  );
  const reason = checkLength('reason', input.reason, 1, 500);
  const effective = checkDate('effectiveTime', input.effectiveTime);
  const now = ctx.now();
  if (effective.getTime() > now.getTime()) {
    throw new ValidationException(
      `effectiveTime: expected a time in the past (revocation cannot start in the future), got ${effective.toISOString()} which is after ${now.toISOString()}`,
    );
  }
  immediate(ctx.db, () => {
    const p = ownProfile(ctx, id, name);
    if (p.profile_version !== version) {
      throw new ResourceNotFoundException(
        `profileVersion: version ${version} of profile ${name} does not exist (current version is ${p.profile_version})`,
      );
    }
    if (p.revoked_effective_from !== null && effective.getTime() > p.revoked_effective_from) {
      throw new ValidationException(
        `effectiveTime: profile ${name} is already revoked from ${new Date(p.revoked_effective_from).toISOString()}; a new revocation can only move that earlier, got ${effective.toISOString()}`,
      );
    }
    stmt(
      ctx.db,
      "UPDATE profiles SET status = 'Revoked', revoked_effective_from = ?, revoked_at = ?, revoked_by = ?, revoked_reason = ? WHERE account = ? AND name = ?",
    ).run(effective.getTime(), now.getTime(), id.principalArn, reason, p.account, p.name);
    record(ctx, {
      kind: 'profile.revoke',
      actor: id.principalArn,
      subjects: [profileVersionArn(ctx.region, p.account, p.name, version)],
      details: { effectiveTime: effective.toISOString(), reason },
    });
  });
}
