/** `--platform-id` checked against the catalog, suggesting the nearest id for a typo. */
import { getSigningPlatform, listSigningPlatforms } from '@fwsign/signing-engine/platforms';
import { UsageError } from '../args.js';
import { didYouMean } from '../suggest.js';

export const platformIds = (): string[] => listSigningPlatforms({}).map((p) => p.platformId);

/** The message for an id the catalog does not have: the nearest id, and every id. */
export function unknownPlatform(id: string): string {
  const ids = platformIds();
  return `no signing platform ${JSON.stringify(id)}${didYouMean(id, ids)} (platform ids: ${ids.join(', ')})`;
}

export function knownPlatform(id: string): string {
  if (!getSigningPlatform(id)) throw new UsageError(`--platform-id: ${unknownPlatform(id)}`);
  return id;
}
