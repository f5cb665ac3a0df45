import { describe, expect, it } from 'vitest';
import { fwsign } from '../helpers.js';

describe('fwsign get-signing-platform', () => {
  it('prints the platform with every GetSigningPlatform field', async () => {
    const r = await fwsign(
      '/',
      'get-signing-platform',
      '--platform-id',
      'AmazonFreeRTOS-TI-CC3220SF',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      platformId: 'AmazonFreeRTOS-TI-CC3220SF',
      displayName: 'Amazon FreeRTOS SHA1-RSA CC3220SF-Format',
      partner: 'AmazonFreeRTOS',
      target: 'SHA1-RSA-TISHA1',
      category: 'AWS',
      signingConfiguration: {
        encryptionAlgorithmOptions: { allowedValues: ['RSA'], defaultValue: 'RSA' },
        hashAlgorithmOptions: { allowedValues: ['SHA1'], defaultValue: 'SHA1' },
      },
      signingImageFormat: { supportedFormats: ['JSONEmbedded'], defaultFormat: 'JSONEmbedded' },
      maxSizeInMB: 16,
      revocationSupported: false,
    });
  });

  it('exits 254 naming an unknown platform, the nearest id and every id', async () => {
    const r = await fwsign('/', 'get-signing-platform', '--platform-id', 'AmazonFreeRTOS-Defalt');
    expect(r.code).toBe(254);
    expect(r.stderr).toMatch(
      /^An error occurred \(ResourceNotFoundException\) when calling the GetSigningPlatform operation: no signing platform "AmazonFreeRTOS-Defalt"; did you mean AmazonFreeRTOS-Default\? \(platform ids: AWS/,
    );
  });
});
