/**
 * The AWS Signer verbs that talk to a server, as command table entries: the verb's code (and the
 * service model it is built from) loads only when one of them runs.
 */
import { lazy, type LazyCommand } from '../../command.js';
import { flagName } from './flag-name.js';

const verb = (operation: string, summary: string): LazyCommand =>
  lazy(flagName(operation), summary, async () =>
    (await import('./verb.js')).awsVerb(operation, summary),
  );

export const AWS_VERB_ENTRIES: readonly LazyCommand[] = [
  verb('PutSigningProfile', 'create a signing profile (aws signer put-signing-profile)'),
  verb('GetSigningProfile', 'show a signing profile (aws signer get-signing-profile)'),
  verb(
    'ListSigningProfiles',
    'list signing profiles, following nextToken (aws signer list-signing-profiles)',
  ),
  verb('CancelSigningProfile', 'cancel a signing profile (aws signer cancel-signing-profile)'),
  verb(
    'RevokeSigningProfile',
    'revoke a signing profile version (aws signer revoke-signing-profile)',
  ),
  verb(
    'AddProfilePermission',
    'grant an account an action on a profile (aws signer add-profile-permission)',
  ),
  verb(
    'RemoveProfilePermission',
    'remove a profile permission statement (aws signer remove-profile-permission)',
  ),
  verb(
    'ListProfilePermissions',
    "list a profile's permission statements (aws signer list-profile-permissions)",
  ),
  verb('StartSigningJob', 'sign an S3 object with a profile (aws signer start-signing-job)'),
  verb('DescribeSigningJob', 'show a signing job (aws signer describe-signing-job)'),
  verb('ListSigningJobs', 'list signing jobs with filters (aws signer list-signing-jobs)'),
  verb('RevokeSignature', "revoke a signing job's signature (aws signer revoke-signature)"),
  verb(
    'GetRevocationStatus',
    'ask whether a signature was revoked (aws signer get-revocation-status)',
  ),
  verb('SignPayload', 'sign a small payload synchronously (aws signer sign-payload)'),
  verb('TagResource', 'tag a signing profile (aws signer tag-resource)'),
  verb('UntagResource', 'remove tags from a signing profile (aws signer untag-resource)'),
  verb('ListTagsForResource', "list a signing profile's tags (aws signer list-tags-for-resource)"),
];
