import { randomBytes } from 'node:crypto';

/**
 * IAM's unique ids: a four-letter prefix naming the kind of entity and 16 characters of base32
 * (AWS's own ids use A–Z and 2–7). The prefixes are AWS's: AIDA users, AGPA groups, AROA roles,
 * ANPA managed policies, AKIA access keys, ASIA temporary (STS) access keys.
 */
export type IdPrefix = 'AIDA' | 'AGPA' | 'AROA' | 'ANPA' | 'AKIA' | 'ASIA';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function newId(prefix: IdPrefix): string {
  const bytes = randomBytes(16);
  let out = prefix;
  for (const b of bytes) out += BASE32[b & 31];
  return out;
}

/** A secret access key: 40 characters of base64 (30 random bytes), as AWS issues them. */
export const newSecret = (): string => randomBytes(30).toString('base64');

/** An STS session token: opaque to clients; the store keeps only its SHA-256. */
export const newSessionToken = (): string => `FwoG${randomBytes(96).toString('base64')}`;
