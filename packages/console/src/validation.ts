/** Checks the console makes before sending anything; the API checks the same again. */

/** Signer's profile names: 2 to 64 of A–Z, a–z, 0–9 and underscore. */
export function profileNameError(name: string): string | undefined {
  if (name.length === 0) return 'Enter a profile name.';
  if (!/^[A-Za-z0-9_]*$/.test(name))
    return `The profile name can contain only A–Z, a–z, 0–9 and underscore (_); "${name}" has ${JSON.stringify([...new Set(name.replace(/[A-Za-z0-9_]/g, ''))].join(''))}.`;
  if (name.length < 2 || name.length > 64)
    return `The profile name must be 2 to 64 characters long; it has ${name.length}.`;
  return undefined;
}

/** `s3://bucket/key` (optionally `?versionId=…`) as the AWS CLI writes S3 locations. */
export function parseS3Url(
  url: string,
): { bucket: string; key: string; versionId?: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/([^?]*)(?:\?versionId=(.+))?$/.exec(url.trim());
  if (!m) return undefined;
  return { bucket: m[1]!, key: m[2]!, ...(m[3] !== undefined ? { versionId: m[3] } : {}) };
}

export const MAX_TAGS = 50;

/** FreeRTOS and IoT Device Management platforms: signed with an imported certificate, sent by OTA. */
export function isIotPlatform(platformId: string | undefined): boolean {
  return (
    platformId !== undefined &&
    (platformId.startsWith('AmazonFreeRTOS') || platformId.startsWith('AWSIoTDeviceManagement'))
  );
}
