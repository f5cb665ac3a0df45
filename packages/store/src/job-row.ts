import type { Db } from './db.js';
import { stmt } from './db.js';
import type { StoreContext } from './context.js';
import { getSigningPlatform } from '@fwsign/signing-engine';
import { ValidationException } from './errors.js';
import type { ProfileRow } from './profile-row.js';
import type { Identity } from './validate.js';

/** The statusReason AWS Signer writes on a job that succeeded. */
export const SIGNING_SUCCEEDED = 'Signing Succeeded';

export type SigningStatus = 'InProgress' | 'Failed' | 'Succeeded';

export interface JobRow {
  seq: number;
  job_id: string;
  owner: string;
  invoker: string;
  requested_by: string;
  client_token: string | null;
  profile_name: string;
  profile_version: string;
  platform_id: string;
  platform_display_name: string;
  certificate_arn: string | null;
  overrides: string | null;
  signing_parameters: string | null;
  source_bucket: string | null;
  source_key: string | null;
  source_version: string | null;
  dest_bucket: string | null;
  dest_prefix: string | null;
  signed_key: string | null;
  signed_version: string | null;
  status: SigningStatus;
  status_reason: string;
  created_at: number;
  completed_at: number | null;
  signature_expires_at: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
  revoked_reason: string | null;
}

export type NewJob = Omit<JobRow, 'seq' | 'revoked_at' | 'revoked_by' | 'revoked_reason'> & {
  overrides: string | null;
};

export function loadJob(ctx: StoreContext, jobId: string): JobRow | undefined {
  return stmt(ctx.db, 'SELECT * FROM jobs WHERE job_id = ?').get(jobId) as JobRow | undefined;
}

/** findJobByToken's read: parameters invoker, token. */
export const JOB_BY_TOKEN = 'SELECT job_id, owner FROM jobs WHERE invoker = ? AND client_token = ?';

/** The job an account already started with this clientRequestToken, if any. */
export function findJobByToken(
  db: Db,
  invoker: string,
  token: string,
): { jobId: string; jobOwner: string } | undefined {
  const row = stmt(db, JOB_BY_TOKEN).get(invoker, token) as
    { job_id: string; owner: string } | undefined;
  return row ? { jobId: row.job_id, jobOwner: row.owner } : undefined;
}

/** The columns a new job row is inserted with, in the order insertJob and jobValues give them. */
const JOB_COLUMNS = [
  'job_id',
  'owner',
  'invoker',
  'requested_by',
  'client_token',
  'profile_name',
  'profile_version',
  'platform_id',
  'platform_display_name',
  'certificate_arn',
  'overrides',
  'signing_parameters',
  'source_bucket',
  'source_key',
  'source_version',
  'dest_bucket',
  'dest_prefix',
  'signed_key',
  'signed_version',
  'status',
  'status_reason',
  'created_at',
  'completed_at',
  'signature_expires_at',
] as const satisfies ReadonlyArray<keyof NewJob>;

/** The INSERT's head, without its VALUES: a batch on PostgreSQL inserts all its jobs in one statement. */
export const INSERT_JOB_HEAD = `INSERT INTO jobs (${JOB_COLUMNS.join(', ')})`;

const INSERT_JOB = `${INSERT_JOB_HEAD} VALUES (${JOB_COLUMNS.map((c) => '@' + c).join(', ')})`;

export function insertJob(db: Db, j: NewJob): void {
  stmt(db, INSERT_JOB).run(j);
}

/** A job row's values in JOB_COLUMNS order. */
export function jobValues(j: NewJob): unknown[] {
  return JOB_COLUMNS.map((c) => j[c]);
}

/** A Succeeded job row; the expiry at whole seconds, as the envelope's RFC 3339 times carry it. */
export function succeeded(
  job: Omit<NewJob, 'status' | 'status_reason' | 'completed_at' | 'signature_expires_at'>,
  completedAt: Date,
  expiresAt: Date | null,
): NewJob {
  return {
    ...job,
    status: 'Succeeded',
    status_reason: SIGNING_SUCCEEDED,
    completed_at: completedAt.getTime(),
    signature_expires_at: expiresAt === null ? null : Math.floor(expiresAt.getTime() / 1000) * 1000,
  };
}

export function jobFields(
  profile: ProfileRow,
  id: Identity,
  jobId: string,
  token: string | null,
  createdAt: Date,
) {
  return {
    job_id: jobId,
    owner: profile.account,
    invoker: id.accountId,
    requested_by: id.principalArn,
    client_token: token,
    profile_name: profile.name,
    profile_version: profile.profile_version,
    platform_id: profile.platform_id,
    platform_display_name: displayName(profile.platform_id),
    certificate_arn: profile.certificate_arn,
    overrides: profile.overrides,
    signing_parameters: profile.signing_parameters,
    created_at: createdAt.getTime(),
  };
}

const displayNames = new Map<string, string>();
function displayName(platformId: string): string {
  let n = displayNames.get(platformId);
  if (n === undefined) {
    n = getSigningPlatform(platformId)?.displayName ?? platformId;
    displayNames.set(platformId, n);
  }
  return n;
}

export function checkActive(p: ProfileRow): void {
  if (p.status !== 'Active') {
    throw new ValidationException(
      `profileName: signing profile ${p.name} is ${p.status}; only an Active profile can sign`,
    );
  }
}
