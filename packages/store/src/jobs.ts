import {
  EngineError,
  NOTARY_PAYLOAD_TYPE,
  getSigningPlatform,
  managedPlatformKind,
  signJwsEnvelope,
  signLambdaPackage,
  signPayload as engineSign,
} from '@fwsign/signing-engine';
import type { EffectiveConfiguration, SignResult } from '@fwsign/signing-engine';
import type { BatchJob, CommittedBatch } from './batch-commit.js';
import { writeAndCommit } from './batch-commit.js';
import { CommitWriter } from './commit-writer.js';
import type { StoreContext } from './context.js';
import {
  InternalServiceErrorException,
  ResourceNotFoundException,
  ValidationException,
} from './errors.js';
import { MasterKeyError } from './master-key.js';
import type { NewJob } from './job-row.js';
import { findJobByToken } from './job-row.js';
import { newJobId } from './job-id.js';
import type { SignerCache } from './key-material.js';
import type { ManagedKeyCache } from './managed-keys.js';
import { jobArn, profileVersionArn } from './arns.js';
import { authorizeRef } from './permissions.js';
import type { ProfileRow } from './profile-row.js';
import { effectiveConfiguration, managedConfiguration } from './profiles.js';
import type { Identity } from './validate.js';
import {
  checkAccountId,
  checkIdentity,
  checkProfileName,
  describe,
  requireString,
} from './validate.js';
import { addPeriod } from './validity.js';

export interface StartSigningJobRequest {
  source: { s3: { bucketName: string; key: string; version: string } };
  destination: { s3: { bucketName: string; prefix?: string } };
  profileName: string;
  clientRequestToken: string;
  profileOwner?: string;
}
export interface StartSigningJobResponse {
  jobId: string;
  jobOwner: string;
}

export interface SignPayloadRequest {
  profileName: string;
  profileOwner?: string;
  payload: Uint8Array;
  payloadFormat: string;
}
export interface SignPayloadResponse {
  jobId: string;
  jobOwner: string;
  metadata: Record<string, string>;
  signature: Uint8Array;
}

/** The statusReason AWS Signer writes on a job that succeeded. */
export const SIGNING_SUCCEEDED = 'Signing Succeeded';
const MAX_TOKEN_CHARS = 256;
/** The SignPayload reference: payload length 1 to 4096. */
const MAX_SIGN_PAYLOAD_BYTES = 4096;
const MAX_BATCH = 256;
/** Two batches may be with the commit worker: one being written and committed, the next queued behind it so the worker never waits for this thread. */
const MAX_CONCURRENT_FLUSHES = 2;
/**
 * A batch this large is flushed at once rather than at the end of the event-loop turn: jobs that
 * finish signing in one turn (in-process callers) would otherwise all wait for one flush, and the
 * event loop would sit idle through its disk writes (bench: 32 in flight, ~1,330 → ~1,730 jobs/s).
 */
const EARLY_FLUSH_AT = 16;
/** Bounds the memory and the size of one segment file. */
const MAX_BATCH_BYTES = 64 * 1024 * 1024;

interface Commit extends BatchJob {
  /** For jobs that write no object (SignPayload), the response carries more than the job id. */
  resolve(r: { jobId: string; jobOwner: string; duplicate: boolean }): void;
  reject(err: unknown): void;
}

/**
 * StartSigningJob and SignPayload. A job is signed outside any transaction, its
 * signed object is written and fsynced under `pending/`, then the object row and
 * the job row are committed together; only then is the caller answered. Jobs that
 * finish while a batch is being committed form the next batch (group commit): one
 * segment fsync, one directory fsync and one WAL fsync for the whole batch, all on
 * the commit worker's thread, while this one goes on signing.
 */
export class JobPipeline {
  private queue: Commit[] = [];
  private scheduled = false;
  private flushing = 0;
  private readonly inFlight = new Map<string, Promise<StartSigningJobResponse>>();
  private readonly configs = new Map<string, EffectiveConfiguration>();

  private readonly writer: CommitWriter;

  constructor(
    private readonly ctx: StoreContext,
    private readonly signers: SignerCache,
    private readonly managedKeys: ManagedKeyCache,
  ) {
    this.writer = new CommitWriter(ctx.db, ctx.db.name, ctx.buckets.dirs);
  }

  /** True once batches are committed on the commit worker's thread. */
  get commitsOnWorker(): boolean {
    return this.writer.onWorker;
  }

  startSigningJob(id: Identity, input: StartSigningJobRequest): Promise<StartSigningJobResponse> {
    checkIdentity(id);
    const token = checkToken(input?.clientRequestToken);
    const key = `${id.accountId}\0${token}`;
    // The same token twice in flight in this process: the second waits for the first.
    const running = this.inFlight.get(key);
    if (running) return running;
    const p = this.start(id, input, token).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private async start(
    id: Identity,
    input: StartSigningJobRequest,
    token: string,
  ): Promise<StartSigningJobResponse> {
    const src = input.source?.s3;
    if (!src || typeof src !== 'object')
      throw new ValidationException(
        `source.s3: expected { bucketName, key, version }, got ${describe(input.source)}`,
      );
    const srcBucket = requireString('source.s3.bucketName', src.bucketName);
    const srcKey = requireString('source.s3.key', src.key);
    const srcVersion = requireString('source.s3.version', src.version);
    const dst = input.destination?.s3;
    if (!dst || typeof dst !== 'object')
      throw new ValidationException(
        `destination.s3: expected { bucketName, prefix? }, got ${describe(input.destination)}`,
      );
    const dstBucket = requireString('destination.s3.bucketName', dst.bucketName);
    const prefix =
      dst.prefix === undefined || dst.prefix === null
        ? ''
        : String(requireStringOrEmpty('destination.s3.prefix', dst.prefix));
    const name = checkProfileName(input.profileName);
    const owner =
      input.profileOwner === undefined
        ? id.accountId
        : checkAccountId('profileOwner', input.profileOwner);

    const prior = this.findByToken(id.accountId, token);
    if (prior) return prior;

    const profile = authorizeRef(this.ctx, id, 'signer:StartSigningJob', {
      profileName: name,
      profileOwner: owner,
    });
    checkActive(profile);
    if (managedPlatformKind(profile.platform_id) === 'notation')
      throw new ValidationException(
        `profileName: signing profile ${profile.name} is for ${profile.platform_id}, which signs with SignPayload, not signing jobs`,
      );
    const source = this.checkSource(id.accountId, srcBucket, srcKey, srcVersion, dstBucket);
    return this.run(
      id,
      profile,
      token,
      { srcBucket, srcKey, srcVersion, dstBucket, prefix },
      source,
    );
  }

  private async run(
    id: Identity,
    profile: ProfileRow,
    token: string,
    {
      srcBucket,
      srcKey,
      srcVersion,
      dstBucket,
      prefix,
    }: { srcBucket: string; srcKey: string; srcVersion: string; dstBucket: string; prefix: string },
    source: { file: string; offset: number; size: number; destinationExists: boolean },
  ): Promise<StartSigningJobResponse> {
    const jobId = newJobId();
    const createdAt = this.ctx.now();
    const signedKey = prefix + jobId;
    const base: NewJob = {
      ...jobFields(profile, id, jobId, token, createdAt),
      source_bucket: srcBucket,
      source_key: srcKey,
      source_version: srcVersion,
      dest_bucket: dstBucket,
      dest_prefix: prefix,
      signed_key: signedKey,
      signed_version: null,
      status: 'Failed',
      status_reason: '',
      completed_at: null,
      signature_expires_at: null,
    };
    const fail = (reason: string) =>
      this.commit({ ...base, status_reason: reason, completed_at: this.ctx.now().getTime() });

    if (managedPlatformKind(profile.platform_id) === 'lambda') {
      if (!source.destinationExists) return fail(`Destination bucket ${dstBucket} does not exist`);
      return this.signLambda(profile, base, source, fail);
    }
    let config: EffectiveConfiguration;
    try {
      config = this.configFor(profile);
    } catch (err) {
      return fail(`Signing configuration is no longer valid: ${(err as Error).message}`);
    }
    if (!source.destinationExists) return fail(`Destination bucket ${dstBucket} does not exist`);
    if (source.size > config.maxSizeBytes) {
      return fail(
        `Source object is ${source.size} bytes, over the ${config.platform.platformId} platform limit of ${config.maxSizeBytes} bytes (${config.platform.maxSizeInMB} MB)`,
      );
    }
    const material = this.signerFor(profile, createdAt);
    if (typeof material === 'string') return fail(material);

    let result: SignResult;
    try {
      const payload = this.ctx.buckets.readBody(source);
      result = await engineSign({
        config,
        signer: material,
        payload,
        payloadLocation: { bucketName: srcBucket, key: srcKey, version: srcVersion },
      });
    } catch (err) {
      if (err instanceof EngineError || (err as NodeJS.ErrnoException).code === 'ENOENT')
        return fail(`Signing failed: ${(err as Error).message}`);
      throw err;
    }
    // IoT signatures carry no expiry: signatureValidityPeriod applies to Lambda and Notation only.
    return this.commit(succeeded(base, this.ctx.now(), null), result.signedObject);
  }

  /**
   * A Lambda deployment package: the signed ZIP (signature in its archive comment, see the engine's
   * lambda-package.ts) goes to prefix + jobId. An empty, already signed or malformed ZIP fails
   * the job with a statusReason, as AWS reports it, rather than the API call.
   */
  private signLambda(
    profile: ProfileRow,
    base: NewJob,
    source: { file: string; offset: number; size: number },
    fail: (reason: string) => Promise<StartSigningJobResponse>,
  ): Promise<StartSigningJobResponse> {
    const { maxSizeBytes, platform } = managedConfiguration(
      profile.platform_id,
      parseOverrides(profile),
    );
    if (source.size > maxSizeBytes)
      return fail(
        `Source object is ${source.size} bytes, over the ${platform.platformId} platform limit of ${maxSizeBytes} bytes (${platform.maxSizeInMB} MB)`,
      );
    const key = this.managedKeyFor(profile);
    const signingTime = this.ctx.now();
    const expiry = addPeriod(signingTime, profile.validity_value, profile.validity_type);
    if (key.notAfter < signingTime.getTime())
      return fail(
        `The certificate of profile version ${profile.profile_version} expired at ${new Date(key.notAfter).toISOString()}`,
      );
    let signed: Uint8Array;
    try {
      signed = signLambdaPackage({
        pkg: this.ctx.buckets.readBody(source),
        attributes: {
          signingTime,
          expiry,
          profileVersionArn: profileVersionArn(
            this.ctx.region,
            profile.account,
            profile.name,
            profile.profile_version,
          ),
          jobArn: jobArn(this.ctx.region, profile.account, base.job_id),
        },
        privateKey: key.privateKey,
        chainDer: key.chainDer,
      });
    } catch (err) {
      if (err instanceof EngineError)
        return fail(`Invalid Lambda deployment package: ${err.message}`);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return fail(`Signing failed: ${(err as Error).message}`);
      throw err;
    }
    return this.commit(succeeded(base, signingTime, expiry), signed);
  }

  private managedKeyFor(profile: ProfileRow) {
    const key = this.managedKeys.get(profile.account, profile.name, profile.profile_version);
    if (!key)
      throw new InternalServiceErrorException(
        `profile version ${profile.profile_version} of ${profile.name} has no Signer-managed key`,
      );
    return key;
  }

  /**
   * SignPayload: Notation profiles only, payloadFormat application/vnd.cncf.notary.payload.v1+json
   * only (the API reference: "the single valid type"). Returns the Notary JWS envelope; the job is
   * recorded, no object is written.
   */
  async signPayload(id: Identity, input: SignPayloadRequest): Promise<SignPayloadResponse> {
    checkIdentity(id);
    const name = checkProfileName(input?.profileName);
    const owner =
      input.profileOwner === undefined
        ? id.accountId
        : checkAccountId('profileOwner', input.profileOwner);
    if (!(input.payload instanceof Uint8Array) || input.payload.length === 0) {
      throw new ValidationException(
        `payload: expected non-empty bytes, got ${describe(input.payload)}`,
      );
    }
    if (input.payload.length > MAX_SIGN_PAYLOAD_BYTES)
      throw new ValidationException(
        `payload: expected at most ${MAX_SIGN_PAYLOAD_BYTES} bytes, got ${input.payload.length}`,
      );
    const payloadFormat = requireString('payloadFormat', input.payloadFormat);
    if (payloadFormat !== NOTARY_PAYLOAD_TYPE)
      throw new ValidationException(
        `payloadFormat: the single valid type is ${NOTARY_PAYLOAD_TYPE}, got ${JSON.stringify(payloadFormat)}`,
      );
    const profile = authorizeRef(this.ctx, id, 'signer:SignPayload', {
      profileName: name,
      profileOwner: owner,
    });
    checkActive(profile);
    if (managedPlatformKind(profile.platform_id) !== 'notation')
      throw new ValidationException(
        `profileName: signing profile ${profile.name} is for ${profile.platform_id}; SignPayload signs for Notation-OCI-SHA384-ECDSA profiles only`,
      );
    checkNotaryPayload(input.payload);
    const key = this.managedKeyFor(profile);
    const signingTime = this.ctx.now();
    if (key.notAfter < signingTime.getTime())
      throw new ValidationException(
        `profileName: the certificate of profile version ${profile.profile_version} expired at ${new Date(key.notAfter).toISOString()}`,
      );
    const expiry = addPeriod(signingTime, profile.validity_value, profile.validity_type);
    const jobId = newJobId();
    const pva = profileVersionArn(
      this.ctx.region,
      profile.account,
      profile.name,
      profile.profile_version,
    );
    const ja = jobArn(this.ctx.region, profile.account, jobId);
    const envelope = signJwsEnvelope({
      payload: input.payload,
      attributes: {
        contentType: NOTARY_PAYLOAD_TYPE,
        signingTime,
        expiry,
        profileVersionArn: pva,
        jobArn: ja,
      },
      privateKey: key.privateKey,
      chainDer: key.chainDer,
    });
    const r = await this.commit(
      succeeded(
        {
          ...jobFields(profile, id, jobId, null, signingTime),
          source_bucket: null,
          source_key: null,
          source_version: null,
          dest_bucket: null,
          dest_prefix: null,
          signed_key: null,
          signed_version: null,
        },
        signingTime,
        expiry,
      ),
    );
    return {
      jobId: r.jobId,
      jobOwner: r.jobOwner,
      signature: new TextEncoder().encode(envelope),
      // The names AWS's Notation plugin reads back as the signature's extended attributes.
      metadata: {
        'com.amazonaws.signer.signingProfileVersion': pva,
        'com.amazonaws.signer.signingJob': ja,
      },
    };
  }

  /** The platform catalog is immutable, so a resolved configuration is reused per platform and overrides. */
  private configFor(profile: ProfileRow): EffectiveConfiguration {
    const key = `${profile.platform_id}\0${profile.overrides ?? ''}`;
    let c = this.configs.get(key);
    if (!c) {
      c = effectiveConfiguration(profile.platform_id, parseOverrides(profile));
      this.configs.set(key, c);
    }
    return c;
  }

  private findByToken(invoker: string, token: string): StartSigningJobResponse | undefined {
    return findJobByToken(this.ctx.db, invoker, token);
  }

  /**
   * The Signer API reference: the source bucket must be versioned and the version must exist.
   * Whether the destination bucket exists comes with it (one query for both: this runs per job).
   */
  private checkSource(
    account: string,
    bucket: string,
    key: string,
    version: string,
    destination: string,
  ): { file: string; offset: number; size: number; destinationExists: boolean } {
    const row = this.ctx.buckets.versionWithDestination(account, bucket, key, version, destination);
    if (!row)
      throw new ResourceNotFoundException(
        `source.s3.bucketName: bucket ${JSON.stringify(bucket)} does not exist`,
      );
    if (row.versioning !== 'Enabled') {
      throw new ValidationException(
        `source.s3.bucketName: bucket ${JSON.stringify(bucket)} must have versioning enabled, its versioning is ${row.versioning ?? 'never enabled'}`,
      );
    }
    if (!row.object)
      throw new ResourceNotFoundException(
        `source.s3.version: version ${JSON.stringify(version)} of ${JSON.stringify(key)} does not exist in bucket ${JSON.stringify(bucket)}`,
      );
    return { ...row.object, destinationExists: row.destinationExists };
  }

  private signerFor(profile: ProfileRow, now: Date) {
    if (profile.certificate_arn === null) return 'Signing profile has no signing material';
    let m: ReturnType<SignerCache['get']>;
    try {
      m = this.signers.get(profile.account, profile.certificate_arn);
    } catch (err) {
      // A wrong master key is the server's fault, not the caller's: no job is recorded.
      if (err instanceof MasterKeyError) throw new InternalServiceErrorException(err.message);
      throw err;
    }
    if (!m) return `Certificate ${profile.certificate_arn} no longer exists`;
    if (m.notAfter < now.getTime())
      return `Certificate ${profile.certificate_arn} expired at ${new Date(m.notAfter).toISOString()}`;
    return m.signer;
  }

  private commit(job: NewJob, body?: Uint8Array): Promise<StartSigningJobResponse> {
    return new Promise((resolve, reject) => {
      this.queue.push({
        job,
        ...(body ? { body } : {}),
        resolve: (r) => resolve({ jobId: r.jobId, jobOwner: r.jobOwner }),
        reject,
      });
      this.maybeFlush();
    });
  }

  /**
   * Group commit without timers: while one batch is being written and committed,
   * the jobs that finish signing queue up and form the next batch. A lone request
   * is flushed on the next turn of the event loop, so it waits for nobody.
   */
  private maybeFlush(): void {
    if (this.queue.length === 0 || this.flushing >= MAX_CONCURRENT_FLUSHES) return;
    if (this.queue.length >= EARLY_FLUSH_AT) {
      void this.flush();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private takeBatch(): Commit[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && n < MAX_BATCH && bytes < MAX_BATCH_BYTES)
      bytes += this.queue[n++]!.body?.length ?? 0;
    return this.queue.splice(0, n);
  }

  /** The batch goes to the commit worker; its callers are answered once its rows are durable. */
  private async flush(): Promise<void> {
    this.scheduled = false;
    if (this.flushing >= MAX_CONCURRENT_FLUSHES) return;
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    this.flushing++;
    try {
      // Only the job and its object cross to the worker; the callers' resolve/reject stay here.
      this.settle(
        batch,
        await this.writer.commit(batch.map(({ job, body }) => (body ? { job, body } : { job }))),
      );
    } catch (err) {
      for (const c of batch) c.reject(err);
    } finally {
      this.flushing--;
      this.maybeFlush();
    }
  }

  /** Commits every finished job, synchronously: close() calls it so no finished job is dropped. */
  close(): void {
    this.writer.close();
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      try {
        this.settle(batch, writeAndCommit(this.ctx.db, this.ctx.buckets.dirs, batch));
      } catch (err) {
        for (const c of batch) c.reject(err);
      }
    }
  }

  private settle(batch: Commit[], { outcomes }: CommittedBatch): void {
    batch.forEach((c, i) => c.resolve(outcomes[i]!));
  }
}

/** A Succeeded job row; the expiry at whole seconds, as the envelope's RFC 3339 times carry it. */
function succeeded(
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

function jobFields(
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

function parseOverrides(p: ProfileRow) {
  return p.overrides === null ? undefined : JSON.parse(p.overrides);
}

function checkActive(p: ProfileRow): void {
  if (p.status !== 'Active') {
    throw new ValidationException(
      `profileName: signing profile ${p.name} is ${p.status}; only an Active profile can sign`,
    );
  }
}

/** The Notary Project payload: a JSON object naming the target artifact's descriptor. */
function checkNotaryPayload(payload: Uint8Array): void {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    doc = undefined;
  }
  const target = (doc as { targetArtifact?: Record<string, unknown> } | undefined)?.targetArtifact;
  if (
    !target ||
    typeof target !== 'object' ||
    typeof target.mediaType !== 'string' ||
    typeof target.digest !== 'string' ||
    typeof target.size !== 'number'
  )
    throw new ValidationException(
      `payload: expected a Notary payload {"targetArtifact":{"mediaType","digest","size"}} as JSON, got ${payload.length} bytes that are not one`,
    );
}

function checkToken(value: unknown): string {
  const t = requireString('clientRequestToken', value);
  if (t.length > MAX_TOKEN_CHARS)
    throw new ValidationException(
      `clientRequestToken: expected at most ${MAX_TOKEN_CHARS} characters, got ${t.length}`,
    );
  return t;
}

function requireStringOrEmpty(field: string, value: unknown): string {
  if (typeof value !== 'string')
    throw new ValidationException(`${field}: expected a string, got ${describe(value)}`);
  return value;
}
