import { jobArn, parseJobArn, parseProfileArn } from './arns.js';
import type { StoreContext } from './context.js';
import { parseJson } from './context.js';
import { immediate, stmt } from './db.js';
import { BucketError, ResourceNotFoundException, ValidationException } from './errors.js';
import type { JobRow, SigningStatus } from './job-row.js';
import { loadJob } from './job-row.js';
import { authorizeProfile } from './permissions.js';
import type { SigningPlatformOverrides } from './profile-row.js';
import { loadProfile, overridesOf } from './profile-row.js';
import { revokedCertificateHashes } from './managed-keys.js';
import type { Identity } from './validate.js';
import {
  ACCOUNT_ID,
  checkAccountId,
  checkDate,
  checkIdentity,
  checkLength,
  checkMaxResults,
  describe,
  requireString,
} from './validate.js';

export interface SigningJobRevocationRecord {
  reason: string;
  revokedAt: Date;
  revokedBy: string;
}

export interface DescribeSigningJobResponse {
  jobId: string;
  source?: { s3: { bucketName: string; key: string; version: string } };
  signingMaterial?: { certificateArn: string };
  platformId: string;
  platformDisplayName: string;
  profileName: string;
  profileVersion: string;
  overrides?: SigningPlatformOverrides;
  signingParameters?: Record<string, string>;
  createdAt: Date;
  completedAt?: Date;
  signatureExpiresAt?: Date;
  requestedBy: string;
  status: SigningStatus;
  statusReason: string;
  revocationRecord?: SigningJobRevocationRecord;
  signedObject?: { s3: { bucketName: string; key: string } };
  jobOwner: string;
  jobInvoker: string;
}

export interface SigningJob {
  jobId: string;
  source?: { s3: { bucketName: string; key: string; version: string } };
  signedObject?: { s3: { bucketName: string; key: string } };
  signingMaterial?: { certificateArn: string };
  createdAt: Date;
  status: SigningStatus;
  isRevoked: boolean;
  profileName: string;
  profileVersion: string;
  platformId: string;
  platformDisplayName: string;
  signatureExpiresAt?: Date;
  jobOwner: string;
  jobInvoker: string;
}

export interface ListSigningJobsRequest {
  status?: SigningStatus;
  platformId?: string;
  requestedBy?: string;
  maxResults?: number;
  nextToken?: string;
  isRevoked?: boolean;
  signatureExpiresBefore?: Date;
  signatureExpiresAfter?: Date;
  jobInvoker?: string;
}

/**
 * A signature is revoked when its job was revoked, or when its profile version was
 * revoked with an effective time at or before the signing time.
 */
const REVOKED_SQL = `(j.revoked_at IS NOT NULL OR EXISTS (
  SELECT 1 FROM profiles p WHERE p.account = j.owner AND p.name = j.profile_name AND p.profile_version = j.profile_version
     AND p.revoked_effective_from IS NOT NULL AND j.created_at >= p.revoked_effective_from))`;

type JobWithRevoked = JobRow & { is_revoked: number };

/** Jobs are visible to the account that owns the profile and to the account that started them. */
function visibleJob(ctx: StoreContext, id: Identity, jobId: unknown): JobRow {
  const jid = requireString('jobId', jobId);
  const j = loadJob(ctx, jid);
  if (!j || (j.owner !== id.accountId && j.invoker !== id.accountId)) {
    throw new ResourceNotFoundException(`jobId: signing job ${JSON.stringify(jid)} does not exist`);
  }
  return j;
}

export function describeSigningJob(
  ctx: StoreContext,
  id: Identity,
  input: { jobId: string },
): DescribeSigningJobResponse {
  checkIdentity(id);
  const j = visibleJob(ctx, id, input?.jobId);
  const out: DescribeSigningJobResponse = {
    ...jobSummary(j),
    requestedBy: j.requested_by,
    statusReason: j.status_reason,
  };
  const overrides = overridesOf(j);
  if (overrides) out.overrides = overrides;
  const params = parseJson<Record<string, string>>(j.signing_parameters);
  if (params) out.signingParameters = params;
  if (j.completed_at !== null) out.completedAt = new Date(j.completed_at);
  const rr = jobRevocation(ctx, j);
  if (rr) out.revocationRecord = rr;
  return out;
}

/** What DescribeSigningJob and ListSigningJobs both say of a job row. */
function jobSummary(j: JobRow): Omit<SigningJob, 'isRevoked'> {
  const out: Omit<SigningJob, 'isRevoked'> = {
    jobId: j.job_id,
    createdAt: new Date(j.created_at),
    status: j.status,
    profileName: j.profile_name,
    profileVersion: j.profile_version,
    platformId: j.platform_id,
    platformDisplayName: j.platform_display_name,
    jobOwner: j.owner,
    jobInvoker: j.invoker,
  };
  if (j.source_bucket !== null && j.source_key !== null && j.source_version !== null) {
    out.source = {
      s3: { bucketName: j.source_bucket, key: j.source_key, version: j.source_version },
    };
  }
  if (j.status === 'Succeeded' && j.dest_bucket !== null && j.signed_key !== null)
    out.signedObject = { s3: { bucketName: j.dest_bucket, key: j.signed_key } };
  if (j.certificate_arn !== null) out.signingMaterial = { certificateArn: j.certificate_arn };
  if (j.signature_expires_at !== null) out.signatureExpiresAt = new Date(j.signature_expires_at);
  return out;
}

function jobRevocation(ctx: StoreContext, j: JobRow): SigningJobRevocationRecord | undefined {
  if (j.revoked_at !== null)
    return {
      reason: j.revoked_reason ?? '',
      revokedAt: new Date(j.revoked_at),
      revokedBy: j.revoked_by ?? '',
    };
  const p = loadProfile(ctx, j.owner, j.profile_name);
  if (
    p &&
    p.profile_version === j.profile_version &&
    p.revoked_effective_from !== null &&
    p.revoked_at !== null &&
    j.created_at >= p.revoked_effective_from
  ) {
    return {
      reason: `Signing profile revoked: ${p.revoked_reason ?? ''}`,
      revokedAt: new Date(p.revoked_at),
      revokedBy: p.revoked_by ?? '',
    };
  }
  return undefined;
}

const STATUSES: readonly SigningStatus[] = ['InProgress', 'Failed', 'Succeeded'];

export function listSigningJobs(
  ctx: StoreContext,
  id: Identity,
  input: ListSigningJobsRequest = {},
): { jobs: SigningJob[]; nextToken?: string } {
  checkIdentity(id);
  const max = checkMaxResults(input.maxResults);
  const q = jobFilter(id, input);
  // A page token is good only for the same account and filters it was issued with.
  const scope = { op: 'ListSigningJobs', account: id.accountId, filters: q.filters };
  if (input.nextToken !== undefined) {
    q.where.push('j.seq < ?');
    q.args.push(ctx.tokens.open<number>(scope, input.nextToken));
  }
  const rows = stmt(
    ctx.db,
    `SELECT j.*, ${REVOKED_SQL} AS is_revoked FROM jobs j WHERE ${q.where.join(' AND ')} ORDER BY j.seq DESC LIMIT ?`,
  ).all(...q.args, max + 1) as JobWithRevoked[];
  const page = rows.slice(0, max);
  const jobs = page.map((j): SigningJob => ({ ...jobSummary(j), isRevoked: j.is_revoked === 1 }));
  const last = page[page.length - 1];
  return rows.length > max && last
    ? { jobs, nextToken: ctx.tokens.seal(scope, last.seq) }
    : { jobs };
}

interface JobFilter {
  where: string[];
  args: unknown[];
  /** The filters as given, which a page token is bound to. */
  filters: Record<string, unknown>;
}

/** ListSigningJobs' filters as SQL: the caller's own jobs (owned or started), then each filter. */
function jobFilter(id: Identity, input: ListSigningJobsRequest): JobFilter {
  const where = ['(j.owner = ? OR j.invoker = ?)'];
  const args: unknown[] = [id.accountId, id.accountId];
  const filters: Record<string, unknown> = {};
  if (input.status !== undefined) {
    if (!STATUSES.includes(input.status))
      throw new ValidationException(
        `status: expected one of [${STATUSES.join(', ')}], got ${describe(input.status)}`,
      );
    where.push('j.status = ?');
    args.push(input.status);
    filters.status = input.status;
  }
  if (input.platformId !== undefined) {
    where.push('j.platform_id = ?');
    args.push(requireString('platformId', input.platformId));
    filters.platformId = input.platformId;
  }
  if (input.requestedBy !== undefined) {
    where.push('j.requested_by = ?');
    args.push(requireString('requestedBy', input.requestedBy));
    filters.requestedBy = input.requestedBy;
  }
  if (input.isRevoked !== undefined) {
    if (typeof input.isRevoked !== 'boolean')
      throw new ValidationException(
        `isRevoked: expected a boolean, got ${describe(input.isRevoked)}`,
      );
    where.push(input.isRevoked ? REVOKED_SQL : `NOT ${REVOKED_SQL}`);
    filters.isRevoked = input.isRevoked;
  }
  if (input.signatureExpiresBefore !== undefined) {
    where.push('j.signature_expires_at IS NOT NULL AND j.signature_expires_at < ?');
    args.push(checkDate('signatureExpiresBefore', input.signatureExpiresBefore).getTime());
    filters.before = input.signatureExpiresBefore.getTime();
  }
  if (input.signatureExpiresAfter !== undefined) {
    where.push('j.signature_expires_at IS NOT NULL AND j.signature_expires_at > ?');
    args.push(checkDate('signatureExpiresAfter', input.signatureExpiresAfter).getTime());
    filters.after = input.signatureExpiresAfter.getTime();
  }
  if (input.jobInvoker !== undefined) {
    where.push('j.invoker = ?');
    args.push(checkAccountId('jobInvoker', input.jobInvoker));
    filters.jobInvoker = input.jobInvoker;
  }
  return { where, args, filters };
}

/**
 * RevokeSignature: the profile owner may revoke any signature made with its
 * profile; another account needs signer:RevokeSignature on that profile. A second
 * revocation keeps the first record.
 */
export function revokeSignature(
  ctx: StoreContext,
  id: Identity,
  input: { jobId: string; reason: string; jobOwner?: string },
): void {
  checkIdentity(id);
  const jid = requireString('jobId', input?.jobId);
  const reason = checkLength('reason', input.reason, 1, 500);
  if (input.jobOwner !== undefined) checkAccountId('jobOwner', input.jobOwner);
  immediate(ctx.db, () => {
    const j = loadJob(ctx, jid);
    if (!j || (input.jobOwner !== undefined && j.owner !== input.jobOwner))
      throw new ResourceNotFoundException(
        `jobId: signing job ${JSON.stringify(jid)} does not exist`,
      );
    if (j.owner !== id.accountId) {
      const profile = loadProfile(ctx, j.owner, j.profile_name);
      if (!profile)
        throw new ResourceNotFoundException(
          `jobId: signing job ${JSON.stringify(jid)} does not exist`,
        );
      authorizeProfile(ctx, id, 'signer:RevokeSignature', profile);
    }
    if (j.status !== 'Succeeded')
      throw new ValidationException(
        `jobId: signing job ${jid} is ${j.status}; only a Succeeded job has a signature to revoke`,
      );
    if (j.revoked_at !== null) return;
    stmt(
      ctx.db,
      'UPDATE jobs SET revoked_at = ?, revoked_by = ?, revoked_reason = ? WHERE job_id = ?',
    ).run(ctx.now().getTime(), id.principalArn, reason, jid);
  });
}

/**
 * GetRevocationStatus: which of the named entities make a signature made at
 * signatureTimestamp untrusted. Revoked profile versions count from their effective
 * time; a revoked job counts whatever the timestamp.
 */
export function getRevocationStatus(
  ctx: StoreContext,
  id: Identity,
  input: {
    signatureTimestamp: Date;
    platformId: string;
    profileVersionArn: string;
    jobArn: string;
    certificateHashes: string[];
  },
): { revokedEntities: string[] } {
  checkIdentity(id);
  const ts = checkDate('signatureTimestamp', input?.signatureTimestamp).getTime();
  requireString('platformId', input.platformId);
  const pva = requireString('profileVersionArn', input.profileVersionArn);
  const ja = requireString('jobArn', input.jobArn);
  if (!Array.isArray(input.certificateHashes))
    throw new ValidationException(
      `certificateHashes: expected a list of strings, got ${describe(input.certificateHashes)}`,
    );
  const p = parseProfileArn(pva);
  if (!p || p.version === undefined)
    throw new ValidationException(
      `profileVersionArn: expected arn:aws:signer:<region>:<account>:/signing-profiles/<name>/<version>, got ${JSON.stringify(pva)}`,
    );
  const parsedJob = parseJobArn(ja);
  if (!parsedJob)
    throw new ValidationException(
      `jobArn: expected arn:aws:signer:<region>:<account>:/signing-jobs/<jobId>, got ${JSON.stringify(ja)}`,
    );
  for (const h of input.certificateHashes)
    if (typeof h !== 'string' || !/^[0-9a-fA-F]+$/.test(h))
      throw new ValidationException(`certificateHashes: expected hex strings, got ${describe(h)}`);
  const revoked: string[] = [];
  const profile = loadProfile(ctx, p.account, p.name);
  if (
    profile &&
    profile.profile_version === p.version &&
    profile.revoked_effective_from !== null &&
    ts >= profile.revoked_effective_from
  )
    revoked.push(pva);
  // Every hash is looked up on its own, whatever its place in the chain and whichever profile
  // version the request names: the certificate is revoked even when the rest of the request lies.
  const certificates = revokedCertificateHashes(ctx, ts);
  for (const h of input.certificateHashes)
    if (certificates.has(h.toLowerCase()) && !revoked.includes(h)) revoked.push(h);
  const job = loadJob(ctx, parsedJob.jobId);
  if (job && job.owner === parsedJob.account && job.revoked_at !== null) revoked.push(ja);
  return { revokedEntities: revoked };
}

export function jobArnOf(ctx: StoreContext, j: { owner: string; job_id: string }): string {
  return jobArn(ctx.region, j.owner, j.job_id);
}

/**
 * The CreateOTAUpdate flow: after signing, AWS IoT's OTA service stores the raw
 * payload as a newer version of the signed object's key (the signature travels in
 * the job document), so devices stream plain firmware. The destination bucket must
 * be versioned, or the raw payload would replace the signed object.
 */
export function storeOtaPayloadVersion(
  ctx: StoreContext,
  id: Identity,
  input: { jobId: string },
): { bucketName: string; key: string; versionId: string; signedObjectVersionId: string } {
  checkIdentity(id);
  const j = visibleJob(ctx, id, input?.jobId);
  if (
    j.status !== 'Succeeded' ||
    j.dest_bucket === null ||
    j.signed_key === null ||
    j.signed_version === null ||
    j.source_bucket === null ||
    j.source_key === null ||
    j.source_version === null
  ) {
    throw new ValidationException(
      `jobId: signing job ${j.job_id} has no signed object (status ${j.status})`,
    );
  }
  if (j.invoker !== id.accountId || !ACCOUNT_ID.test(j.invoker))
    throw new ResourceNotFoundException(
      `jobId: signing job ${j.job_id} was not started by account ${id.accountId}`,
    );
  let versioning: string | null;
  try {
    versioning = ctx.buckets.bucketRow(j.invoker, j.dest_bucket).versioning;
  } catch (err) {
    if (err instanceof BucketError)
      throw new ResourceNotFoundException(`destination bucket ${j.dest_bucket} does not exist`);
    throw err;
  }
  if (versioning !== 'Enabled')
    throw new ValidationException(
      `destination bucket ${j.dest_bucket} must have versioning enabled to keep the signed object beside the raw payload`,
    );
  const raw = ctx.buckets.getObject(
    j.invoker,
    j.source_bucket,
    j.source_key,
    j.source_version,
  ).body;
  const put = ctx.buckets.putObject(j.invoker, j.dest_bucket, j.signed_key, raw);
  return {
    bucketName: j.dest_bucket,
    key: j.signed_key,
    versionId: put.versionId,
    signedObjectVersionId: j.signed_version,
  };
}
