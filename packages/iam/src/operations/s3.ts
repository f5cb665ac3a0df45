/**
 * The S3 subset fwsign serves → s3: actions on bucket (arn:aws:s3:::BUCKET) and object
 * (arn:aws:s3:::BUCKET/KEY) resources, per the reference and "Required permissions for Amazon S3
 * API operations": HeadBucket is s3:ListBucket, ListObjectVersions is s3:ListBucketVersions, and a
 * GetObject or HeadObject that names a versionId is s3:GetObjectVersion (with s3:versionid).
 * Input members are S3's: Bucket, Key, VersionId, Prefix, MaxKeys. A bucket's policy, if the store
 * has one, applies to the bucket and its objects.
 */
import type { ContextValue } from '../access.js';
import { optionalMember, requireMember } from '../errors.js';
import type { AuthzRequest } from '../types.js';
import { anyResource, check, resourceWithFacts, type OperationMapper } from './mapper.js';

const bucketArn = (r: AuthzRequest) => `arn:aws:s3:::${requireMember(r.input, 'Bucket')}`;

/** The keys every S3 request carries: the owner (s3:ResourceAccount) and SigV4. */
function s3Context(r: AuthzRequest): Record<string, ContextValue> {
  return { 's3:ResourceAccount': r.accountId, 's3:signatureversion': 'AWS4-HMAC-SHA256' };
}

/** s3:prefix and s3:max-keys of a listing. */
function listContext(r: AuthzRequest): Record<string, ContextValue> {
  const out = s3Context(r);
  const prefix = optionalMember(r.input, 'Prefix');
  if (prefix !== undefined) out['s3:prefix'] = prefix;
  const max = r.input['MaxKeys'];
  if (typeof max === 'number' || typeof max === 'string') out['s3:max-keys'] = String(max);
  return out;
}

const onBucket =
  (
    action: string,
    context: (r: AuthzRequest) => Record<string, ContextValue> = s3Context,
  ): OperationMapper =>
  async (r, f) => {
    const arn = bucketArn(r);
    return check(
      action,
      [await resourceWithFacts(f, arn, r.accountId, { policyFrom: arn })],
      context(r),
    );
  };

const getObject: OperationMapper = async (r, f) => {
  const bucket = bucketArn(r);
  const arn = `${bucket}/${requireMember(r.input, 'Key')}`;
  const versionId = optionalMember(r.input, 'VersionId');
  const context = s3Context(r);
  if (versionId !== undefined) context['s3:versionid'] = versionId;
  return check(
    versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion',
    [await resourceWithFacts(f, arn, r.accountId, { policyFrom: bucket })],
    context,
  );
};

export const s3Operations: Record<string, OperationMapper> = {
  ListBuckets: async (r) => check('s3:ListAllMyBuckets', [anyResource(r.accountId)], s3Context(r)),
  CreateBucket: onBucket('s3:CreateBucket'),
  HeadBucket: onBucket('s3:ListBucket'),
  PutBucketVersioning: onBucket('s3:PutBucketVersioning'),
  GetBucketVersioning: onBucket('s3:GetBucketVersioning'),
  ListObjectVersions: onBucket('s3:ListBucketVersions', listContext),
  GetObject: getObject,
  HeadObject: getObject,
  PutObject: async (r, f) => {
    const bucket = bucketArn(r);
    const arn = `${bucket}/${requireMember(r.input, 'Key')}`;
    return check(
      's3:PutObject',
      [await resourceWithFacts(f, arn, r.accountId, { policyFrom: bucket })],
      s3Context(r),
    );
  },
};
