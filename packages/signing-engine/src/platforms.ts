/**
 * The signing-platform catalog, field for field as AWS Signer's GetSigningPlatform returns it.
 * Facts: the AWS CLI's own `list-signing-platforms` / `get-signing-platform` examples (including
 * the trailing space in the IoT Device Management display name) and the botocore model
 * signer/2017-08-25. The Lambda and Notation entries sign with Signer-managed keys
 * (resolveManagedConfiguration; jws-envelope.ts, lambda-package.ts), not with a key of the caller's.
 * Lambda's fields follow published ListSigningPlatforms output; for Notation only the display name
 * is attested (list-signing-profiles' platformDisplayName): its partner, target and size limit are
 * this catalog's best reading, not copied from a response.
 */
export type EncryptionAlgorithm = 'RSA' | 'ECDSA';
export type HashAlgorithm = 'SHA1' | 'SHA256' | 'SHA384';
export type ImageFormat = 'JSON' | 'JSONEmbedded' | 'JSONDetached';

export interface SigningPlatform {
  platformId: string;
  displayName: string;
  partner: string;
  target: string;
  category: string;
  signingConfiguration: {
    encryptionAlgorithmOptions: {
      allowedValues: EncryptionAlgorithm[];
      defaultValue: EncryptionAlgorithm;
    };
    hashAlgorithmOptions: { allowedValues: HashAlgorithm[]; defaultValue: HashAlgorithm };
  };
  signingImageFormat: { supportedFormats: ImageFormat[]; defaultFormat: ImageFormat };
  maxSizeInMB: number;
  revocationSupported: boolean;
}

function platform(
  platformId: string,
  displayName: string,
  partner: string,
  target: string,
  enc: EncryptionAlgorithm,
  hash: HashAlgorithm,
  format: ImageFormat,
  maxSizeInMB: number,
  revocationSupported: boolean,
): SigningPlatform {
  return {
    platformId,
    displayName,
    partner,
    target,
    category: 'AWS',
    signingConfiguration: {
      encryptionAlgorithmOptions: { allowedValues: [enc], defaultValue: enc },
      hashAlgorithmOptions: { allowedValues: [hash], defaultValue: hash },
    },
    signingImageFormat: { supportedFormats: [format], defaultFormat: format },
    maxSizeInMB,
    revocationSupported,
  };
}

const CATALOG: readonly SigningPlatform[] = [
  platform(
    'AWSLambda-SHA384-ECDSA',
    'AWS Lambda',
    'AWSLambda',
    'SHA384-ECDSA',
    'ECDSA',
    'SHA384',
    'JSONDetached',
    250,
    true,
  ),
  platform(
    'Notation-OCI-SHA384-ECDSA',
    'Notation for container registries',
    'Notation',
    'SHA384-ECDSA',
    'ECDSA',
    'SHA384',
    'JSONDetached',
    2048,
    true,
  ),
  platform(
    'AWSIoTDeviceManagement-SHA256-ECDSA',
    'AWS IoT Device Management SHA256-ECDSA ',
    'AWSIoTDeviceManagement',
    'SHA256-ECDSA',
    'ECDSA',
    'SHA256',
    'JSONDetached',
    2048,
    false,
  ),
  platform(
    'AmazonFreeRTOS-TI-CC3220SF',
    'Amazon FreeRTOS SHA1-RSA CC3220SF-Format',
    'AmazonFreeRTOS',
    'SHA1-RSA-TISHA1',
    'RSA',
    'SHA1',
    'JSONEmbedded',
    16,
    false,
  ),
  platform(
    'AmazonFreeRTOS-Default',
    'Amazon FreeRTOS SHA256-ECDSA',
    'AmazonFreeRTOS',
    'SHA256-ECDSA',
    'ECDSA',
    'SHA256',
    'JSONEmbedded',
    16,
    false,
  ),
];

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
};

export const SIGNING_PLATFORMS: readonly SigningPlatform[] = deepFreeze(CATALOG);

const SIGNABLE = new Set([
  'AmazonFreeRTOS-Default',
  'AmazonFreeRTOS-TI-CC3220SF',
  'AWSIoTDeviceManagement-SHA256-ECDSA',
]);

/** The model's Category enum says `AWSIoT` while the service answers `AWS`; a filter of either matches. */
const CATEGORY_ALIASES: Record<string, string> = { AWSIoT: 'AWS' };

/** Returns fresh copies so a caller that edits a result cannot change the catalog. */
export function listSigningPlatforms(
  filter: { category?: string; partner?: string; target?: string } = {},
): SigningPlatform[] {
  const category =
    filter.category === undefined
      ? undefined
      : (CATEGORY_ALIASES[filter.category] ?? filter.category);
  return SIGNING_PLATFORMS.filter(
    (p) =>
      (category === undefined || p.category === category) &&
      (filter.partner === undefined || p.partner === filter.partner) &&
      (filter.target === undefined || p.target === filter.target),
  ).map((p) => structuredClone(p));
}

export function getSigningPlatform(platformId: string): SigningPlatform | undefined {
  const found = SIGNING_PLATFORMS.find((p) => p.platformId === platformId);
  return found && structuredClone(found);
}

export function isSignablePlatform(platformId: string): boolean {
  return SIGNABLE.has(platformId);
}
