import {
  EngineError,
  managedPlatformKind,
  signPayload as engineSign,
  TokenError,
} from '@fwsign/signing-engine';
import type { EffectiveConfiguration, SignResult } from '@fwsign/signing-engine';
import { jobAudit } from './audit.js';
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
import type {
  SignPayloadRequest,
  SignPayloadResponse,
  StartSigningJobRequest,
  StartSigningJobResponse,
} from './job-requests.js';
import type { NewJob } from './job-row.js';
import { checkActive, findJobByToken, JOB_BY_TOKEN, jobFields, succeeded } from './job-row.js';
import { dialectOf, readAhead } from './db.js';
import { PROFILE_BY_NAME } from './profile-row.js';
import { CERTIFICATE_VALIDITY } from './key-material.js';
import { VERSION_WITH_DESTINATION, versionWithDestinationParams } from './buckets.js';
import { ManagedSigning } from './managed-jobs.js';
import type { ObjectRef } from './object-bytes.js';
import { newJobId } from './job-id.js';
import type { SignerCache } from './key-material.js';
import type { ManagedKeyCache } from './managed-keys.js';
import { authorizeRef } from './permissions.js';
import { overridesOf, type ProfileRow } from './profile-row.js';
import { effectiveConfiguration } from './profile-input.js';
import type { Identity } from './validate.js';
import {
  checkAccountId,
  checkIdentity,
  checkProfileName,
  describe,
  requireString,
} from './validate.js';

export { SIGNING_SUCCEEDED } from './job-row.js';
const MAX_TOKEN_CHARS = 256;
const MAX_BATCH = 256;
/** readAhead's certificate guesses are forgotten past this many profiles (a guess missed costs one read). */
const MAX_REMEMBERED_PROFILES = 10_000;
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
  /** Each profile's certificate ARN as last read, for readAhead's guess only: never trusted. */
  private readonly certificateOf = new Map<string, string>();

  private readonly writer: CommitWriter;
  private readonly managed: ManagedSigning;

  constructor(
    private readonly ctx: StoreContext,
    private readonly signers: SignerCache,
    managedKeys: ManagedKeyCache,
  ) {
    this.managed = new ManagedSigning(ctx, managedKeys, (job, body, facts) =>
      this.commit(job, body, facts),
    );
    this.writer = new CommitWriter(ctx.db, ctx.database, ctx.buckets.dirs);
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

    this.readAhead(id.accountId, token, owner, name, [srcBucket, srcKey, srcVersion, dstBucket]);
    const prior = this.findByToken(id.accountId, token);
    if (prior) return prior;

    const profile = authorizeRef(this.ctx, id, 'signer:StartSigningJob', {
      profileName: name,
      profileOwner: owner,
    });
    if (profile.certificate_arn !== null) {
      if (this.certificateOf.size >= MAX_REMEMBERED_PROFILES) this.certificateOf.clear();
      this.certificateOf.set(profileKey(owner, name), profile.certificate_arn);
    }
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

  /**
   * On PostgreSQL, the reads every job makes before signing, asked in one hand-off to the
   * connection's thread (db.ts readAhead): the token, the profile, the source version with its
   * bucket and the destination's, and the profile's certificate as last seen (its ARN comes with
   * the profile: when it changed, the new one is read after it, as before). Each is then read
   * by the same code as ever, in the same order, with the same checks; on SQLite nothing changes.
   */
  private readAhead(
    account: string,
    token: string,
    owner: string,
    name: string,
    [srcBucket, srcKey, srcVersion, dstBucket]: [string, string, string, string],
  ): void {
    if (dialectOf(this.ctx.db) !== 'postgres') return;
    const certificate = this.certificateOf.get(profileKey(owner, name));
    readAhead(this.ctx.db, [
      { sql: JOB_BY_TOKEN, params: [account, token] },
      { sql: PROFILE_BY_NAME, params: [owner, name] },
      {
        sql: VERSION_WITH_DESTINATION,
        params: versionWithDestinationParams(account, srcBucket, srcKey, srcVersion, dstBucket),
      },
      ...(certificate ? [{ sql: CERTIFICATE_VALIDITY, params: [owner, certificate] }] : []),
    ]);
  }

  /** SignPayload (Notation profiles): see ManagedSigning. */
  signPayload(id: Identity, input: SignPayloadRequest): Promise<SignPayloadResponse> {
    return this.managed.signPayload(id, input);
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
    source: ObjectRef & { destinationExists: boolean },
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
      return this.managed.signLambda(profile, base, source, fail);
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
      // A token that is absent, pulled or erroring fails this job only.
      if (
        err instanceof EngineError ||
        err instanceof TokenError ||
        (err as NodeJS.ErrnoException).code === 'ENOENT'
      )
        return fail(`Signing failed: ${(err as Error).message}`);
      throw err;
    }
    // IoT signatures carry no expiry: signatureValidityPeriod applies to Lambda and Notation only.
    return this.commit(succeeded(base, this.ctx.now(), null), result.signedObject, result);
  }

  /** The platform catalog is immutable, so a resolved configuration is reused per platform and overrides. */
  private configFor(profile: ProfileRow): EffectiveConfiguration {
    const key = `${profile.platform_id}\0${profile.overrides ?? ''}`;
    let c = this.configs.get(key);
    if (!c) {
      c = effectiveConfiguration(profile.platform_id, overridesOf(profile));
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
  ): ObjectRef & { destinationExists: boolean } {
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
      if (err instanceof TokenError) return `Signing failed: ${err.message}`;
      throw err;
    }
    if (!m) return `Certificate ${profile.certificate_arn} no longer exists`;
    if (m.notAfter < now.getTime())
      return `Certificate ${profile.certificate_arn} expired at ${new Date(m.notAfter).toISOString()}`;
    return m.signer;
  }

  private commit(
    job: NewJob,
    body?: Uint8Array,
    facts?: { payloadSha256?: Uint8Array; signature?: Uint8Array },
  ): Promise<StartSigningJobResponse> {
    return new Promise((resolve, reject) => {
      this.queue.push({
        job,
        ...(body ? { body } : {}),
        ...(this.ctx.audit ? { audit: jobAudit(this.ctx.region, facts) } : {}),
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
        await this.writer.commit(
          batch.map(({ job, body, audit }) => ({
            job,
            ...(body ? { body } : {}),
            ...(audit ? { audit } : {}),
          })),
        ),
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
        this.settle(batch, writeAndCommit(this.ctx.db, this.ctx.buckets.bytes, batch));
      } catch (err) {
        for (const c of batch) c.reject(err);
      }
    }
  }

  private settle(batch: Commit[], { outcomes }: CommittedBatch): void {
    batch.forEach((c, i) => c.resolve(outcomes[i]!));
  }
}

const profileKey = (owner: string, name: string) => `${owner}\0${name}`;

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
