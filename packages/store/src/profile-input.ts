// What PutSigningProfile and ListSigningProfiles take, checked field by field before any row is
// touched, and the engine's platform refusals turned into the exceptions Signer documents.
import {
  EngineError,
  getSigningPlatform,
  resolveEffectiveConfiguration,
  resolveManagedConfiguration,
} from '@fwsign/signing-engine';
import type { EffectiveConfiguration, ManagedConfiguration } from '@fwsign/signing-engine';
import type { StoreContext } from './context.js';
import { stmt } from './db.js';
import { ResourceNotFoundException, ValidationException } from './errors.js';
import type { ProfileStatus, SigningPlatformOverrides } from './profile-row.js';
import type { Identity } from './validate.js';
import { describe, requireString } from './validate.js';

const STATUSES: readonly ProfileStatus[] = ['Active', 'Canceled', 'Revoked'];

/** Engine refusals become the AWS exceptions PutSigningProfile documents. */
export function effectiveConfiguration(
  platformId: string,
  overrides: SigningPlatformOverrides | undefined,
): EffectiveConfiguration {
  try {
    return resolveEffectiveConfiguration(platformId, overrides ?? {});
  } catch (err) {
    if (err instanceof EngineError) {
      if (err.code === 'UnsupportedPlatform' && getSigningPlatform(platformId) === undefined) {
        throw new ResourceNotFoundException(`platformId: ${err.message}`);
      }
      throw new ValidationException(
        err.code === 'UnsupportedPlatform'
          ? `platformId: ${err.message}`
          : `overrides.${err.message}`,
      );
    }
    throw err;
  }
}

/** The same refusals for the Signer-managed platforms (Lambda, Notation). */
export function managedConfiguration(
  platformId: string,
  overrides: SigningPlatformOverrides | undefined,
): ManagedConfiguration {
  try {
    return resolveManagedConfiguration(platformId, overrides ?? {});
  } catch (err) {
    if (err instanceof EngineError) throw new ValidationException(`overrides.${err.message}`);
    throw err;
  }
}

export function checkOverrides(value: unknown): SigningPlatformOverrides | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object')
    throw new ValidationException(
      `overrides: expected { signingConfiguration?, signingImageFormat? }, got ${describe(value)}`,
    );
  const o = value as Record<string, unknown>;
  const out: SigningPlatformOverrides = {};
  if (o.signingConfiguration !== undefined) {
    const sc = o.signingConfiguration as Record<string, unknown> | null;
    if (sc === null || typeof sc !== 'object')
      throw new ValidationException(
        `overrides.signingConfiguration: expected an object, got ${describe(sc)}`,
      );
    out.signingConfiguration = {};
    if (sc.encryptionAlgorithm !== undefined)
      out.signingConfiguration.encryptionAlgorithm = requireString(
        'overrides.signingConfiguration.encryptionAlgorithm',
        sc.encryptionAlgorithm,
      );
    if (sc.hashAlgorithm !== undefined)
      out.signingConfiguration.hashAlgorithm = requireString(
        'overrides.signingConfiguration.hashAlgorithm',
        sc.hashAlgorithm,
      );
  }
  if (o.signingImageFormat !== undefined)
    out.signingImageFormat = requireString('overrides.signingImageFormat', o.signingImageFormat);
  return out;
}

export function checkSigningParameters(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ValidationException(
      `signingParameters: expected a map of strings, got ${describe(value)}`,
    );
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string')
      throw new ValidationException(
        `signingParameters[${JSON.stringify(k)}]: expected a string, got ${describe(v)}`,
      );
    out[k] = v;
  }
  return out;
}

interface CertificateKeyRow {
  key_type: string;
  key_bits: number;
  not_after: number;
}

export function checkCertificate(
  ctx: StoreContext,
  id: Identity,
  certArn: string,
  config: EffectiveConfiguration,
  now: Date,
): void {
  const cert = stmt(
    ctx.db,
    'SELECT key_type, key_bits, not_after FROM certificates WHERE account = ? AND arn = ?',
  ).get(id.accountId, certArn) as CertificateKeyRow | undefined;
  if (!cert)
    throw new ResourceNotFoundException(
      `signingMaterial.certificateArn: certificate ${certArn} does not exist in account ${id.accountId}`,
    );
  checkKeyFitsPlatform(cert, config, certArn);
  if (cert.not_after < now.getTime()) {
    throw new ValidationException(
      `signingMaterial.certificateArn: certificate ${certArn} expired at ${new Date(cert.not_after).toISOString()}`,
    );
  }
}

function checkKeyFitsPlatform(
  cert: CertificateKeyRow,
  config: EffectiveConfiguration,
  certArn: string,
): void {
  const want = config.encryptionAlgorithm === 'ECDSA' ? 'ec-p256' : 'rsa';
  if (cert.key_type !== want) {
    throw new ValidationException(
      `signingMaterial.certificateArn: platform ${config.platform.platformId} signs with ${config.signatureAlgorithm} and needs a ${want === 'ec-p256' ? 'P-256 ECDSA' : 'RSA'} key, certificate ${certArn} holds ${cert.key_type === 'rsa' ? `an RSA-${cert.key_bits}` : 'a P-256 ECDSA'} key`,
    );
  }
}

export function checkStatuses(value: unknown): ProfileStatus[] {
  if (!Array.isArray(value))
    throw new ValidationException(
      `statuses: expected a list of [${STATUSES.join(', ')}], got ${describe(value)}`,
    );
  for (const s of value) {
    if (!STATUSES.includes(s as ProfileStatus))
      throw new ValidationException(
        `statuses: expected each of [${STATUSES.join(', ')}], got ${describe(s)}`,
      );
  }
  return [...new Set(value as ProfileStatus[])].sort();
}
