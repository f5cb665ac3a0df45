/**
 * A platform's defaults combined with a signing profile's overrides, checked the way AWS Signer
 * checks PutSigningProfile: every override must be one of the platform's allowed values.
 */
import { EngineError } from './errors.js';
import { getSigningPlatform, isSignablePlatform, type SigningPlatform } from './platforms.js';

/** The shape of the Signer model's SigningPlatformOverrides. */
export interface SigningConfigurationOverrides {
  signingConfiguration?: { encryptionAlgorithm?: string; hashAlgorithm?: string };
  signingImageFormat?: string;
}

export type SignatureAlgorithm = 'SHA256withECDSA' | 'SHA1withRSA';

export interface EffectiveConfiguration {
  platform: SigningPlatform;
  encryptionAlgorithm: 'ECDSA' | 'RSA';
  hashAlgorithm: 'SHA256' | 'SHA1';
  imageFormat: 'JSONEmbedded' | 'JSONDetached';
  signatureAlgorithm: SignatureAlgorithm;
  /** maxSizeInMB * 1 MiB. */
  maxSizeBytes: number;
}

const MIB = 1024 * 1024;

function pick<T extends string>(
  field: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    const reserved = value === 'JSON' ? ' (JSON is reserved by AWS Signer for future use)' : '';
    throw new EngineError(
      'ValidationException',
      `${field}: expected one of [${allowed.join(', ')}], got ${JSON.stringify(value)}${reserved}`,
    );
  }
  return value as T;
}

export function resolveEffectiveConfiguration(
  platformId: string,
  overrides: SigningConfigurationOverrides = {},
): EffectiveConfiguration {
  const platform = getSigningPlatform(platformId);
  if (!platform)
    throw new EngineError(
      'UnsupportedPlatform',
      `platform ${JSON.stringify(platformId)} is not a known signing platform`,
    );
  if (!isSignablePlatform(platformId)) {
    throw new EngineError(
      'UnsupportedPlatform',
      `platform ${platformId} is listed but fwsign cannot sign for it with a key of yours: its keys are Signer-managed, so only a signing profile on the server signs for it (resolveManagedConfiguration)`,
    );
  }
  const sc = platform.signingConfiguration;
  const enc = pick(
    'signingConfiguration.encryptionAlgorithm',
    overrides.signingConfiguration?.encryptionAlgorithm,
    sc.encryptionAlgorithmOptions.allowedValues,
    sc.encryptionAlgorithmOptions.defaultValue,
  );
  const hash = pick(
    'signingConfiguration.hashAlgorithm',
    overrides.signingConfiguration?.hashAlgorithm,
    sc.hashAlgorithmOptions.allowedValues,
    sc.hashAlgorithmOptions.defaultValue,
  );
  const format = pick(
    'signingImageFormat',
    overrides.signingImageFormat,
    platform.signingImageFormat.supportedFormats,
    platform.signingImageFormat.defaultFormat,
  );
  // The signable platforms each allow exactly one pair, so these narrowings cannot fail for them.
  let signatureAlgorithm: SignatureAlgorithm;
  if (enc === 'ECDSA' && hash === 'SHA256') signatureAlgorithm = 'SHA256withECDSA';
  else if (enc === 'RSA' && hash === 'SHA1') signatureAlgorithm = 'SHA1withRSA';
  else
    throw new EngineError(
      'ValidationException',
      `signingConfiguration: ${enc} with ${hash} is not a supported pair (SHA256withECDSA, SHA1withRSA)`,
    );
  if (format === 'JSON')
    throw new EngineError(
      'ValidationException',
      'signingImageFormat: JSON is reserved by AWS Signer for future use',
    );
  return {
    platform,
    encryptionAlgorithm: enc,
    hashAlgorithm: hash,
    imageFormat: format,
    signatureAlgorithm,
    maxSizeBytes: platform.maxSizeInMB * MIB,
  };
}

export type ManagedPlatformKind = 'lambda' | 'notation';

/** A Lambda or Notation platform: Signer generates and holds the keys (ECDSA P-384, SHA-384). */
export interface ManagedConfiguration {
  platform: SigningPlatform;
  kind: ManagedPlatformKind;
  maxSizeBytes: number;
}

const MANAGED: Record<string, ManagedPlatformKind> = {
  'AWSLambda-SHA384-ECDSA': 'lambda',
  'Notation-OCI-SHA384-ECDSA': 'notation',
};

/** The platforms whose keys Signer manages; undefined for the others. */
export function managedPlatformKind(platformId: string): ManagedPlatformKind | undefined {
  return MANAGED[platformId];
}

/** Like resolveEffectiveConfiguration, for the two Signer-managed platforms; overrides are checked the same way. */
export function resolveManagedConfiguration(
  platformId: string,
  overrides: SigningConfigurationOverrides = {},
): ManagedConfiguration {
  const kind = managedPlatformKind(platformId);
  const platform = getSigningPlatform(platformId);
  if (!kind || !platform)
    throw new EngineError(
      'UnsupportedPlatform',
      `platform ${JSON.stringify(platformId)} is not a Signer-managed platform (${Object.keys(MANAGED).join(', ')})`,
    );
  const sc = platform.signingConfiguration;
  pick(
    'signingConfiguration.encryptionAlgorithm',
    overrides.signingConfiguration?.encryptionAlgorithm,
    sc.encryptionAlgorithmOptions.allowedValues,
    sc.encryptionAlgorithmOptions.defaultValue,
  );
  pick(
    'signingConfiguration.hashAlgorithm',
    overrides.signingConfiguration?.hashAlgorithm,
    sc.hashAlgorithmOptions.allowedValues,
    sc.hashAlgorithmOptions.defaultValue,
  );
  pick(
    'signingImageFormat',
    overrides.signingImageFormat,
    platform.signingImageFormat.supportedFormats,
    platform.signingImageFormat.defaultFormat,
  );
  return { platform, kind, maxSizeBytes: platform.maxSizeInMB * MIB };
}
