import { existsSync, mkdirSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { Buckets } from './buckets.js';
import * as certs from './certificates.js';
import type { StoreContext } from './context.js';
import type { Db } from './db.js';
import { dialectOf, isPostgresUrl, openDatabase, schemaVersion } from './db.js';
import { redactUrl } from './redact-url.js';
import * as jobq from './job-queries.js';
import { JobPipeline } from './jobs.js';
import type {
  SignPayloadRequest,
  SignPayloadResponse,
  StartSigningJobRequest,
  StartSigningJobResponse,
} from './job-requests.js';
import { SignerCache } from './key-material.js';
import { importTokenCertificate } from './token-certificates.js';
import { ManagedKeyCache, rootCertificate } from './managed-keys.js';
import { parseManagedTokenUri } from './managed-token.js';
import { openMasterKey, rotateMasterKey } from './key-check.js';
import { MasterKeyError } from './master-key.js';
import * as perms from './permissions.js';
import type { ProfileAction, ProfileRef } from './permissions.js';
import type { ProfileStatus } from './profile-row.js';
import * as profiles from './profiles.js';
import * as tags from './resource-tags.js';
import type { TagMap } from './tags.js';
import { TokenSealer } from './tokens.js';
import { bindIam, type IamStore } from './iam-store.js';
import { TransparencyLog } from './transparency-log.js';
import type { Identity } from './validate.js';
import { checkIdentity } from './validate.js';

export interface OpenOptions {
  /** The single folder holding the database, the object files and (by default) the master key. */
  dataDir: string;
  region?: string;
  /** 32 bytes; otherwise FWSIGN_MASTER_KEY, otherwise `<dataDir>/master.key`. */
  masterKey?: Uint8Array;
  /** Clock, for tests of expiry and revocation. */
  now?: () => Date;
  /** Record every change in the transparency log (audit.ts). On by default; off only by the operator's choice. */
  audit?: boolean;
  /**
   * Make Signer-managed keys (Lambda, Notation) in this PKCS#11 token rather than sealing them in
   * the database: an RFC 7512 URI naming the token, e.g. `pkcs11:token=fwsign-managed`
   * (managed-token.ts). Keys made before stay where they are.
   */
  managedKeysPkcs11Uri?: string;
  /**
   * A PostgreSQL database (`postgres://…`) to keep everything in, shared by every server given the
   * same URL and master key; otherwise FWSIGN_DATABASE, otherwise SQLite in `<dataDir>/signer.db`.
   */
  database?: string;
  /** The log's name, the first line of its checkpoints; fixed when the log's key is made. Default `fwsign/<region>/<random id>`. */
  auditOrigin?: string;
}

/**
 * The PostgreSQL database a store keeps its state in: `given`, else FWSIGN_DATABASE; undefined
 * for SQLite in the data dir. Checked before anything is opened or made.
 */
function postgresUrlOf(given: string | undefined): string | undefined {
  const url = given ?? (process.env['FWSIGN_DATABASE'] || undefined);
  if (url !== undefined && !isPostgresUrl(url))
    throw new TypeError(
      `SignerStore: ${given !== undefined ? '"database"' : 'FWSIGN_DATABASE'} expected a postgres:// URL, got ${JSON.stringify(redactUrl(url))}`,
    );
  return url;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]$/;

/**
 * The state behind AWS Signer's operations. One method per operation, taking the
 * authenticated caller and the botocore input shape, returning the output shape.
 * Throws StoreError subclasses whose `code` is the AWS exception name.
 */
export class SignerStore {
  readonly dataDir: string;
  readonly region: string;
  readonly buckets: Buckets;
  /** The transparency log: checkpoints, proofs, and on SQLite the exporter of `<dataDir>/audit/`. */
  readonly audit: TransparencyLog;
  /** IAM users, keys, groups, policies, roles and STS sessions (iam-*.ts), by operation name. */
  readonly iam: IamStore;
  private readonly ctx: StoreContext;
  private readonly db: Db;
  private readonly jobs: JobPipeline;
  private readonly signers: SignerCache;
  private closed = false;

  private constructor(ctx: StoreContext, dataDir: string, auditOrigin?: string) {
    this.ctx = ctx;
    this.audit = new TransparencyLog(ctx.db, dataDir, ctx.masterKey, ctx.region, auditOrigin);
    this.db = ctx.db;
    this.dataDir = dataDir;
    this.region = ctx.region;
    this.buckets = ctx.buckets;
    this.iam = bindIam(ctx);
    this.signers = new SignerCache(ctx);
    this.jobs = new JobPipeline(ctx, this.signers, new ManagedKeyCache(ctx));
  }

  static open(opts: OpenOptions): SignerStore {
    if (!opts || typeof opts.dataDir !== 'string' || opts.dataDir.length === 0) {
      throw new TypeError(
        `SignerStore.open: "dataDir" expected a directory path, got ${JSON.stringify(opts?.dataDir)}`,
      );
    }
    const region = opts.region ?? 'us-east-1';
    if (!REGION.test(region))
      throw new RangeError(
        `SignerStore.open: "region" expected a region name like us-east-1, got ${JSON.stringify(region)}`,
      );
    const managedToken =
      opts.managedKeysPkcs11Uri === undefined
        ? undefined
        : parseManagedTokenUri(opts.managedKeysPkcs11Uri);
    const dataDir = resolve(opts.dataDir);
    const database = postgresUrlOf(opts.database) ?? join(dataDir, 'signer.db');
    // PostgreSQL is opened first: a URL that does not connect (or a database that cannot be
    // migrated) fails before the data dir is made, so a bad URL leaves nothing behind.
    const pg = isPostgresUrl(database) ? openDatabase(database) : undefined;
    let db: Db;
    try {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      db = pg ?? openDatabase(database);
    } catch (err) {
      pg?.close();
      throw err;
    }
    try {
      // After the database: whether a key may be made depends on what it already holds sealed.
      const masterKey = openMasterKey(db, dataDir, opts.masterKey).key;
      const buckets = new Buckets(db, dataDir);
      buckets.sweepPending();
      const ctx: StoreContext = {
        db,
        database,
        region,
        tokens: new TokenSealer(db),
        buckets,
        masterKey,
        audit: opts.audit ?? true,
        ...(managedToken ? { managedToken } : {}),
        now: opts.now ?? (() => new Date()),
      };
      const store = new SignerStore(ctx, dataDir, opts.auditOrigin);
      // Entries committed before a crash and not yet in the files are copied now.
      store.audit.exportEntries();
      return store;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * `fwsign master-key rotate`: re-seals every secret of the store (SQLite in `dataDir`, or the
   * PostgreSQL `database`, or FWSIGN_DATABASE) under a new random master key in one transaction
   * (see rotateMasterKey). The current key: `masterKey`, FWSIGN_MASTER_KEY, or `dataDir`'s
   * master.key. Servers keep the old key until restarted with the new one; meanwhile they seal
   * nothing (sealCurrent) and a key they had not yet opened fails with that reason.
   */
  static rotateMasterKey(opts: {
    dataDir?: string;
    database?: string;
    masterKey?: Uint8Array;
    /** Where `masterKey` came from, for messages (e.g. FWSIGN_MASTER_KEY). */
    masterKeySource?: string;
    out?: string;
  }): {
    resealed: number;
    keyFile: string;
  } {
    const dataDir = opts.dataDir === undefined ? undefined : resolve(opts.dataDir);
    const database =
      postgresUrlOf(opts.database) ??
      (dataDir === undefined ? undefined : join(dataDir, 'signer.db'));
    if (database === undefined)
      throw new TypeError(
        'SignerStore.rotateMasterKey: expected "dataDir" (SQLite) or "database" (a postgres:// URL)',
      );
    if (!isPostgresUrl(database) && !existsSync(database))
      throw new MasterKeyError(`${database}: no data dir to rotate the key of`);
    const db = openDatabase(database);
    try {
      return rotateMasterKey(db, dataDir, opts);
    } finally {
      db.close();
    }
  }

  /** Commits whatever finished jobs are queued, then closes the database. */
  close(): void {
    if (this.closed) return;
    this.jobs.close();
    this.closed = true;
    try {
      // The files catch up with what was committed; what they miss is copied at the next open.
      this.audit.exportEntries();
    } finally {
      this.db.close();
    }
  }

  /** True once signing jobs are committed on the commit worker's thread (false before the first job, or where the worker could not start). */
  get commitsOnWorker(): boolean {
    return this.jobs.commitsOnWorker;
  }

  /** Which database holds the state: the embedded SQLite file, or a PostgreSQL shared with other servers. */
  get engine(): 'sqlite' | 'postgres' {
    return dialectOf(this.db);
  }

  get schemaVersion(): number {
    return schemaVersion(this.db);
  }

  // ---- signing profiles ---------------------------------------------------------
  putSigningProfile(
    id: Identity,
    input: profiles.PutSigningProfileRequest,
  ): profiles.PutSigningProfileResponse {
    return profiles.putSigningProfile(this.ctx, id, input);
  }
  getSigningProfile(
    id: Identity,
    input: { profileName: string; profileOwner?: string },
  ): profiles.GetSigningProfileResponse {
    return profiles.getSigningProfile(this.ctx, id, input);
  }
  listSigningProfiles(
    id: Identity,
    input: {
      includeCanceled?: boolean;
      maxResults?: number;
      nextToken?: string;
      platformId?: string;
      statuses?: ProfileStatus[];
    } = {},
  ): { profiles: profiles.SigningProfile[]; nextToken?: string } {
    return profiles.listSigningProfiles(this.ctx, id, input);
  }
  cancelSigningProfile(id: Identity, input: { profileName: string }): void {
    profiles.cancelSigningProfile(this.ctx, id, input);
  }
  revokeSigningProfile(
    id: Identity,
    input: { profileName: string; profileVersion: string; reason: string; effectiveTime: Date },
  ): void {
    profiles.revokeSigningProfile(this.ctx, id, input);
  }

  // ---- permissions --------------------------------------------------------------
  addProfilePermission(
    id: Identity,
    input: {
      profileName: string;
      action: string;
      principal: string;
      statementId: string;
      profileVersion?: string;
      revisionId?: string;
    },
  ): { revisionId: string } {
    return perms.addProfilePermission(this.ctx, id, input);
  }
  removeProfilePermission(
    id: Identity,
    input: { profileName: string; statementId: string; revisionId: string },
  ): { revisionId: string } {
    return perms.removeProfilePermission(this.ctx, id, input);
  }
  listProfilePermissions(id: Identity, input: { profileName: string; nextToken?: string }) {
    return perms.listProfilePermissions(this.ctx, id, input);
  }
  /** A profile's tags, version and permissions as a resource policy, for IAM authorization (undefined: no such profile). */
  profileFacts(accountId: string, profileName: string) {
    return perms.profileFacts(this.ctx, accountId, profileName);
  }
  /** Throws AccessDeniedException unless `id` may perform `action` on the profile (owner, or granted by a statement). */
  authorize(id: Identity, action: ProfileAction, profile: ProfileRef): void {
    perms.authorizeRef(this.ctx, id, action, profile);
  }

  // ---- jobs ---------------------------------------------------------------------
  startSigningJob(id: Identity, input: StartSigningJobRequest): Promise<StartSigningJobResponse> {
    return this.jobs.startSigningJob(id, input);
  }
  describeSigningJob(id: Identity, input: { jobId: string }): jobq.DescribeSigningJobResponse {
    return jobq.describeSigningJob(this.ctx, id, input);
  }
  listSigningJobs(
    id: Identity,
    input: jobq.ListSigningJobsRequest = {},
  ): { jobs: jobq.SigningJob[]; nextToken?: string } {
    return jobq.listSigningJobs(this.ctx, id, input);
  }
  revokeSignature(id: Identity, input: { jobId: string; reason: string; jobOwner?: string }): void {
    jobq.revokeSignature(this.ctx, id, input);
  }
  signPayload(id: Identity, input: SignPayloadRequest): Promise<SignPayloadResponse> {
    return this.jobs.signPayload(id, input);
  }
  getRevocationStatus(
    id: Identity,
    input: {
      signatureTimestamp: Date;
      platformId: string;
      profileVersionArn: string;
      jobArn: string;
      certificateHashes: string[];
    },
  ): { revokedEntities: string[] } {
    return jobq.getRevocationStatus(this.ctx, id, input);
  }
  /** The job's ARN, as GetRevocationStatus takes it. */
  jobArn(id: Identity, input: { jobId: string }): string {
    const j = jobq.describeSigningJob(this.ctx, id, input);
    return jobq.jobArnOf(this.ctx, { owner: j.jobOwner, job_id: j.jobId });
  }
  /** CreateOTAUpdate flow: store the job's raw payload as a newer version of its signed object's key. */
  storeOtaPayloadVersion(id: Identity, input: { jobId: string }) {
    return jobq.storeOtaPayloadVersion(this.ctx, id, input);
  }

  // ---- tags ---------------------------------------------------------------------
  tagResource(id: Identity, input: { resourceArn: string; tags: TagMap }): void {
    tags.tagResource(this.ctx, id, input);
  }
  untagResource(id: Identity, input: { resourceArn: string; tagKeys: string[] }): void {
    tags.untagResource(this.ctx, id, input);
  }
  listTagsForResource(id: Identity, input: { resourceArn: string }): { tags: TagMap } {
    return tags.listTagsForResource(this.ctx, id, input);
  }

  // ---- signing material (ACM) ---------------------------------------------------
  /**
   * With a private key: synchronous, the key sealed under the master key. With fwsign's
   * `pkcs11Uri` instead: asynchronous, as the token is asked whether its key is the certificate's.
   */
  importCertificate(
    id: Identity,
    input: certs.ImportCertificateRequest & { pkcs11Uri?: undefined },
  ): { certificateArn: string };
  importCertificate(
    id: Identity,
    input: certs.ImportCertificateRequest,
  ): { certificateArn: string } | Promise<{ certificateArn: string }>;
  importCertificate(
    id: Identity,
    input: certs.ImportCertificateRequest,
  ): { certificateArn: string } | Promise<{ certificateArn: string }> {
    if (input?.pkcs11Uri !== undefined && input.pkcs11Uri !== null)
      return importTokenCertificate(this.ctx, id, input).then((out) => {
        this.signers.forget(out.certificateArn);
        return out;
      });
    const out = certs.importCertificate(this.ctx, id, input);
    this.signers.forget(out.certificateArn);
    return out;
  }
  describeCertificate(
    id: Identity,
    input: { certificateArn: string },
  ): { certificate: certs.CertificateDetail } {
    return certs.describeCertificate(this.ctx, id, input);
  }
  getCertificate(
    id: Identity,
    input: { certificateArn: string },
  ): { certificate: string; certificateChain?: string } {
    return certs.getCertificate(this.ctx, id, input);
  }
  listCertificates(id: Identity, input: { maxItems?: number; nextToken?: string } = {}) {
    return certs.listCertificates(this.ctx, id, input);
  }
  deleteCertificate(id: Identity, input: { certificateArn: string }): void {
    certs.deleteCertificate(this.ctx, id, input);
    this.signers.forget(input.certificateArn);
  }

  // ---- Signer-managed keys (Lambda, Notation) -----------------------------------
  /** The account's fwsign root CA certificate in this region (DER), created on first use: what verifiers trust. */
  rootCertificate(id: Identity): Uint8Array {
    checkIdentity(id);
    return rootCertificate(this.ctx, id.accountId);
  }

  /**
   * For tests and tools: SQLite's own consistency check of its file (`ok`, or what is broken).
   * PostgreSQL checks its pages itself and has nothing of the kind short of the amcheck extension,
   * which an operator installs; on it this refuses rather than answer an `ok` it did not check.
   */
  sqliteIntegrityCheck(): string {
    if (this.engine !== 'sqlite')
      throw new Error(
        `integrity check: SQLite's PRAGMA integrity_check checks a SQLite file; ${this.db.name} is PostgreSQL (use its amcheck extension)`,
      );
    return String(this.db.pragma('integrity_check', { simple: true }));
  }
}
