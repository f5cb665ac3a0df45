import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  SIGNING_PLATFORMS,
  getSigningPlatform,
  isSignablePlatform,
  listSigningPlatforms,
} from '../src/index.js';

/** The AWS CLI ships its own examples with real service responses; compare the catalog with them. */
const CLI_EXAMPLES = '/usr/lib/python3/dist-packages/awscli/examples/signer';

function exampleJson(file: string): unknown {
  const text = readFileSync(`${CLI_EXAMPLES}/${file}`, 'utf8');
  const start = text.indexOf('{', text.indexOf('Output::'));
  return JSON.parse(text.slice(start));
}

describe('signing platform catalog', () => {
  it('matches the AWS CLI list-signing-platforms example field for field (revocationSupported aside)', () => {
    expect(
      existsSync(CLI_EXAMPLES),
      `the awscli Debian package (scripts/setup.sh installs it) provides ${CLI_EXAMPLES}`,
    ).toBe(true);
    const example = exampleJson('list-signing-platforms.rst') as {
      platforms: Record<string, unknown>[];
    };
    expect(example.platforms).toHaveLength(3);
    for (const real of example.platforms) {
      const ours = getSigningPlatform(real.platformId as string);
      expect(ours).toBeDefined();
      const { revocationSupported, ...rest } = ours!;
      expect(rest).toEqual(real);
      expect(revocationSupported).toBe(false);
    }
  });

  it('matches the get-signing-platform example for CC3220SF', () => {
    const real = exampleJson('get-signing-platform.rst') as Record<string, unknown>;
    const { revocationSupported: _r, ...ours } = getSigningPlatform('AmazonFreeRTOS-TI-CC3220SF')!;
    expect(ours).toEqual(real);
  });

  it('keeps the facts the issue pins byte for byte', () => {
    const def = getSigningPlatform('AmazonFreeRTOS-Default')!;
    expect(def.displayName).toBe('Amazon FreeRTOS SHA256-ECDSA');
    expect(def.target).toBe('SHA256-ECDSA');
    expect(def.maxSizeInMB).toBe(16);
    expect(def.signingImageFormat).toEqual({
      supportedFormats: ['JSONEmbedded'],
      defaultFormat: 'JSONEmbedded',
    });
    const ti = getSigningPlatform('AmazonFreeRTOS-TI-CC3220SF')!;
    expect(ti.displayName).toBe('Amazon FreeRTOS SHA1-RSA CC3220SF-Format');
    expect(ti.target).toBe('SHA1-RSA-TISHA1');
    expect(ti.signingConfiguration.hashAlgorithmOptions).toEqual({
      allowedValues: ['SHA1'],
      defaultValue: 'SHA1',
    });
    const iot = getSigningPlatform('AWSIoTDeviceManagement-SHA256-ECDSA')!;
    expect(iot.displayName).toBe('AWS IoT Device Management SHA256-ECDSA ');
    expect(iot.maxSizeInMB).toBe(2048);
    expect(iot.signingImageFormat.defaultFormat).toBe('JSONDetached');
    expect(SIGNING_PLATFORMS.every((p) => p.category === 'AWS')).toBe(true);
  });

  it('lists all five platforms, filters by category (AWS or the model enum AWSIoT), partner and target', () => {
    expect(
      listSigningPlatforms()
        .map((p) => p.platformId)
        .sort(),
    ).toEqual([
      'AWSIoTDeviceManagement-SHA256-ECDSA',
      'AWSLambda-SHA384-ECDSA',
      'AmazonFreeRTOS-Default',
      'AmazonFreeRTOS-TI-CC3220SF',
      'Notation-OCI-SHA384-ECDSA',
    ]);
    expect(listSigningPlatforms({ category: 'AWSIoT' })).toHaveLength(5);
    expect(listSigningPlatforms({ category: 'AWS' })).toHaveLength(5);
    expect(listSigningPlatforms({ category: 'Other' })).toHaveLength(0);
    expect(
      listSigningPlatforms({ partner: 'AmazonFreeRTOS' })
        .map((p) => p.platformId)
        .sort(),
    ).toEqual(['AmazonFreeRTOS-Default', 'AmazonFreeRTOS-TI-CC3220SF']);
    expect(
      listSigningPlatforms({ target: 'SHA256-ECDSA' })
        .map((p) => p.platformId)
        .sort(),
    ).toEqual(['AWSIoTDeviceManagement-SHA256-ECDSA', 'AmazonFreeRTOS-Default']);
  });

  it('hands out copies: editing a result does not change the catalog', () => {
    const p = getSigningPlatform('AmazonFreeRTOS-Default')!;
    p.maxSizeInMB = 1;
    listSigningPlatforms()[0]!.displayName = 'x';
    expect(getSigningPlatform('AmazonFreeRTOS-Default')!.maxSizeInMB).toBe(16);
    expect(() => {
      (SIGNING_PLATFORMS[0] as { displayName: string }).displayName = 'y';
    }).toThrow(TypeError);
  });

  it('marks only the FreeRTOS and IoT platforms signable', () => {
    expect(isSignablePlatform('AmazonFreeRTOS-Default')).toBe(true);
    expect(isSignablePlatform('AmazonFreeRTOS-TI-CC3220SF')).toBe(true);
    expect(isSignablePlatform('AWSIoTDeviceManagement-SHA256-ECDSA')).toBe(true);
    expect(isSignablePlatform('AWSLambda-SHA384-ECDSA')).toBe(false);
    expect(isSignablePlatform('Notation-OCI-SHA384-ECDSA')).toBe(false);
    expect(isSignablePlatform('nope')).toBe(false);
    expect(getSigningPlatform('nope')).toBeUndefined();
  });
});
