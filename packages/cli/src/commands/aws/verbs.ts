/** The AWS Signer verbs that talk to a server (list/get-signing-platform answer locally, see ../). */
import type { Command } from '../../command.js';
import { awsVerb } from './verb.js';

export const AWS_VERBS: readonly Command[] = [
  awsVerb('PutSigningProfile', 'create a signing profile (aws signer put-signing-profile)'),
  awsVerb('GetSigningProfile', 'show a signing profile (aws signer get-signing-profile)'),
  awsVerb(
    'ListSigningProfiles',
    'list signing profiles, following nextToken (aws signer list-signing-profiles)',
  ),
  awsVerb('CancelSigningProfile', 'cancel a signing profile (aws signer cancel-signing-profile)'),
  awsVerb(
    'RevokeSigningProfile',
    'revoke a signing profile version (aws signer revoke-signing-profile)',
  ),
  awsVerb(
    'AddProfilePermission',
    'grant an account an action on a profile (aws signer add-profile-permission)',
  ),
  awsVerb(
    'RemoveProfilePermission',
    'remove a profile permission statement (aws signer remove-profile-permission)',
  ),
  awsVerb(
    'ListProfilePermissions',
    "list a profile's permission statements (aws signer list-profile-permissions)",
  ),
  awsVerb('StartSigningJob', 'sign an S3 object with a profile (aws signer start-signing-job)'),
  awsVerb('DescribeSigningJob', 'show a signing job (aws signer describe-signing-job)'),
  awsVerb('ListSigningJobs', 'list signing jobs with filters (aws signer list-signing-jobs)'),
  awsVerb('RevokeSignature', "revoke a signing job's signature (aws signer revoke-signature)"),
  awsVerb(
    'GetRevocationStatus',
    'ask whether a signature was revoked (aws signer get-revocation-status)',
  ),
  awsVerb('SignPayload', 'sign a small payload synchronously (aws signer sign-payload)'),
  awsVerb('TagResource', 'tag a signing profile (aws signer tag-resource)'),
  awsVerb('UntagResource', 'remove tags from a signing profile (aws signer untag-resource)'),
  awsVerb(
    'ListTagsForResource',
    "list a signing profile's tags (aws signer list-tags-for-resource)",
  ),
];
