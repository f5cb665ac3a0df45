import { getSigningPlatform, listSigningPlatforms } from '@fwsign/signing-engine';
import type { Identity } from './credentials.js';
import type { PlatformOperations } from './operations.js';
import { ApiError } from './errors.js';

/**
 * GetSigningPlatform / ListSigningPlatforms come straight from the engine's catalog (the same for
 * every account), used when the store does not serve them itself.
 */
export const platformOperations: PlatformOperations = {
  getSigningPlatform(_id: Identity, input: { platformId: string }) {
    const p = getSigningPlatform(input.platformId);
    if (!p)
      throw new ApiError(
        'ResourceNotFoundException',
        404,
        `Signing platform '${input.platformId}' does not exist`,
      );
    return p;
  },

  listSigningPlatforms(
    _id: Identity,
    input: {
      category?: string;
      partner?: string;
      target?: string;
      maxResults?: number;
      nextToken?: string;
    },
  ) {
    const all = listSigningPlatforms({
      ...(input.category !== undefined ? { category: input.category } : {}),
      ...(input.partner !== undefined ? { partner: input.partner } : {}),
      ...(input.target !== undefined ? { target: input.target } : {}),
    });
    let start = 0;
    if (input.nextToken !== undefined) {
      const m = /^p(\d{1,6})$/.exec(Buffer.from(input.nextToken, 'base64url').toString('latin1'));
      if (!m)
        throw new ApiError(
          'ValidationException',
          400,
          `nextToken: expected a token from a previous ListSigningPlatforms answer, got '${input.nextToken.slice(0, 64)}'`,
        );
      start = Number(m[1]);
    }
    const size = input.maxResults ?? 25;
    const page = all.slice(start, start + size);
    const next =
      start + size < all.length
        ? Buffer.from(`p${start + size}`, 'latin1').toString('base64url')
        : undefined;
    return { platforms: page, ...(next ? { nextToken: next } : {}) };
  },
} as const;
