import { describe, expect, it } from 'vitest';
import { fwsign } from '../helpers.js';

describe('fwsign list-signing-platforms', () => {
  it('prints every platform as the AWS CLI does', async () => {
    const r = await fwsign('/', 'list-signing-platforms');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      platforms: { platformId: string; displayName: string }[];
    };
    expect(out.platforms.map((p) => p.platformId).sort()).toEqual([
      'AWSIoTDeviceManagement-SHA256-ECDSA',
      'AWSLambda-SHA384-ECDSA',
      'AmazonFreeRTOS-Default',
      'AmazonFreeRTOS-TI-CC3220SF',
      'Notation-OCI-SHA384-ECDSA',
    ]);
    expect(
      out.platforms.find((p) => p.platformId === 'AWSIoTDeviceManagement-SHA256-ECDSA')
        ?.displayName,
    ).toBe('AWS IoT Device Management SHA256-ECDSA ');
  });

  it('filters by partner, target and category', async () => {
    const ids = async (...args: string[]): Promise<string[]> =>
      (
        JSON.parse((await fwsign('/', 'list-signing-platforms', ...args)).stdout) as {
          platforms: { platformId: string }[];
        }
      ).platforms
        .map((p) => p.platformId)
        .sort();
    expect(await ids('--partner', 'AmazonFreeRTOS')).toEqual([
      'AmazonFreeRTOS-Default',
      'AmazonFreeRTOS-TI-CC3220SF',
    ]);
    expect(await ids('--target', 'SHA1-RSA-TISHA1')).toEqual(['AmazonFreeRTOS-TI-CC3220SF']);
    expect(await ids('--category', 'AWSIoT')).toHaveLength(5);
    expect(await ids('--category', 'Nope')).toEqual([]);
  });
});
