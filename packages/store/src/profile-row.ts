import { stmt } from './db.js';
import { profileArn, profileVersionArn } from './arns.js';
import type { StoreContext } from './context.js';
import { parseJson } from './context.js';
import type { ValidityType } from './validity.js';

export type ProfileStatus = 'Active' | 'Canceled' | 'Revoked';

export interface ProfileRow {
  account: string;
  name: string;
  profile_version: string;
  platform_id: string;
  certificate_arn: string | null;
  validity_value: number;
  validity_type: ValidityType;
  overrides: string | null;
  signing_parameters: string | null;
  tags: string;
  status: ProfileStatus;
  created_at: number;
  canceled_at: number | null;
  revoked_effective_from: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
  revoked_reason: string | null;
  policy_revision: string | null;
}

export interface SigningPlatformOverrides {
  signingConfiguration?: { encryptionAlgorithm?: string; hashAlgorithm?: string };
  signingImageFormat?: string;
}

export interface SigningProfileRevocationRecord {
  revocationEffectiveFrom: Date;
  revokedAt: Date;
  revokedBy: string;
}

/** loadProfile's read: parameters account, name. */
export const PROFILE_BY_NAME = 'SELECT * FROM profiles WHERE account = ? AND name = ?';

export function loadProfile(
  ctx: StoreContext,
  account: string,
  name: string,
): ProfileRow | undefined {
  return stmt(ctx.db, PROFILE_BY_NAME).get(account, name) as ProfileRow | undefined;
}

export function arnOf(ctx: StoreContext, p: ProfileRow): string {
  return profileArn(ctx.region, p.account, p.name);
}

export function versionArnOf(ctx: StoreContext, p: ProfileRow): string {
  return profileVersionArn(ctx.region, p.account, p.name, p.profile_version);
}

export function overridesOf(p: { overrides: string | null }): SigningPlatformOverrides | undefined {
  return parseJson<SigningPlatformOverrides>(p.overrides);
}

export function signingParametersOf(p: {
  signing_parameters: string | null;
}): Record<string, string> | undefined {
  return parseJson<Record<string, string>>(p.signing_parameters);
}

export function revocationRecordOf(p: ProfileRow): SigningProfileRevocationRecord | undefined {
  if (p.revoked_at === null || p.revoked_effective_from === null) return undefined;
  return {
    revocationEffectiveFrom: new Date(p.revoked_effective_from),
    revokedAt: new Date(p.revoked_at),
    revokedBy: p.revoked_by ?? '',
  };
}
