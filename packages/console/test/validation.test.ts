import { describe, expect, it } from 'vitest';
import { isIotPlatform, parseS3Url, profileNameError } from '../src/validation.js';
import { parseHash } from '../src/hash.js';

describe('profileNameError', () => {
  it('accepts Signer names and says what is wrong with others', () => {
    expect(profileNameError('Firmware_v2')).toBeUndefined();
    expect(profileNameError('')).toBe('Enter a profile name.');
    expect(profileNameError('bad-name!')).toBe(
      'The profile name can contain only A–Z, a–z, 0–9 and underscore (_); "bad-name!" has "-!".',
    );
    expect(profileNameError('a')).toBe(
      'The profile name must be 2 to 64 characters long; it has 1.',
    );
    expect(profileNameError('a'.repeat(65))).toContain('it has 65');
  });
});

describe('parseS3Url', () => {
  it('reads s3://bucket/key with an optional version', () => {
    expect(parseS3Url('s3://fw/app/image.bin')).toEqual({ bucket: 'fw', key: 'app/image.bin' });
    expect(parseS3Url(' s3://fw/a.bin?versionId=v1 ')).toEqual({
      bucket: 'fw',
      key: 'a.bin',
      versionId: 'v1',
    });
    expect(parseS3Url('https://fw/a.bin')).toBeUndefined();
    expect(parseS3Url('s3://fw')).toBeUndefined();
  });
});

describe('routing and platforms', () => {
  it('decodes hash routes and tells IoT platforms', () => {
    expect(parseHash('#/profiles/My%20Profile')).toEqual(['profiles', 'My Profile']);
    expect(parseHash('')).toEqual([]);
    expect(isIotPlatform('AmazonFreeRTOS-Default')).toBe(true);
    expect(isIotPlatform('AWSLambda-SHA384-ECDSA')).toBe(false);
  });
});
