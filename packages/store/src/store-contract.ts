/**
 * The store's contract as servers and tools use it: every operation asynchronous, so an engine that
 * talks to a database over the network (PostgreSQL) and the embedded one (SQLite, whose calls
 * return at once) are the same to the API and the CLI. Shapes, rules and errors are SignerStore's:
 * the contract is SignerStore's operations with each answer a promise, a refusal a rejected one.
 */
import type { InclusionBundle, AuditEntry } from '@fwsign/audit-log';
import type {
  GetObjectResult,
  ObjectVersionSummary,
  StreamedPutOptions,
  VersioningStatus,
} from './buckets.js';
import type { IamStore } from './iam-store.js';
import type { SignerStore } from './store.js';
import type { CheckpointRecord } from './transparency-log.js';

/** The operations of the contract that are SignerStore methods, by name. */
export type StoreOperationName =
  | 'putSigningProfile'
  | 'getSigningProfile'
  | 'listSigningProfiles'
  | 'cancelSigningProfile'
  | 'revokeSigningProfile'
  | 'addProfilePermission'
  | 'removeProfilePermission'
  | 'listProfilePermissions'
  | 'authorize'
  | 'startSigningJob'
  | 'describeSigningJob'
  | 'listSigningJobs'
  | 'revokeSignature'
  | 'signPayload'
  | 'getRevocationStatus'
  | 'jobArn'
  | 'storeOtaPayloadVersion'
  | 'tagResource'
  | 'untagResource'
  | 'listTagsForResource'
  | 'describeCertificate'
  | 'getCertificate'
  | 'listCertificates'
  | 'deleteCertificate'
  | 'rootCertificate'
  | 'profileFacts';

/** A method with the same parameters whose answer is always a promise. */
type Async<F> = F extends (...args: infer A) => infer R
  ? (...args: A) => Promise<Awaited<R>>
  : never;

/** The versioned buckets jobs read from and write to (S3's operations, per account). */
export interface BucketsContract {
  createBucket(accountId: string, bucket: string): Promise<void>;
  listBuckets(accountId: string): Promise<Array<{ name: string; creationDate: Date }>>;
  putBucketVersioning(accountId: string, bucket: string, status: VersioningStatus): Promise<void>;
  getBucketVersioning(accountId: string, bucket: string): Promise<{ status?: VersioningStatus }>;
  putObject(
    accountId: string,
    bucket: string,
    key: string,
    body: Uint8Array,
  ): Promise<{ versionId: string; etag: string }>;
  putObjectStream(
    accountId: string,
    bucket: string,
    key: string,
    body: AsyncIterable<Uint8Array>,
    opts?: StreamedPutOptions,
  ): Promise<{ versionId: string; etag: string }>;
  getObject(
    accountId: string,
    bucket: string,
    key: string,
    versionId?: string,
  ): Promise<GetObjectResult>;
  listObjectVersions(
    accountId: string,
    bucket: string,
    opts?: { prefix?: string; maxKeys?: number; keyMarker?: string; versionIdMarker?: string },
  ): Promise<{
    versions: ObjectVersionSummary[];
    isTruncated: boolean;
    nextKeyMarker?: string;
    nextVersionIdMarker?: string;
  }>;
}

/** The transparency log: its size, checkpoints and proofs. */
export interface AuditContract {
  size(): Promise<number>;
  publicKey(): Promise<string>;
  checkpoint(): Promise<CheckpointRecord>;
  checkpointIfGrown(): Promise<CheckpointRecord | undefined>;
  latestCheckpoint(): Promise<CheckpointRecord | undefined>;
  prove(seq: number): Promise<InclusionBundle | undefined>;
  entry(seq: number): Promise<AuditEntry | undefined>;
  entriesOfJob(jobId: string): Promise<AuditEntry[]>;
  consistency(from: number, to: number): Promise<string[]>;
}

/** One engine's store: what `fwsign serve` and the store verbs of the CLI run on. */
export type StoreContract = { [K in StoreOperationName]: Async<SignerStore[K]> } & {
  /** With a private key, or (fwsign's extension) a PKCS#11 URI naming a key in a token. */
  importCertificate: Async<
    (
      ...args: Parameters<SignerStore['importCertificate']>
    ) => ReturnType<SignerStore['importCertificate']>
  >;
  readonly region: string;
  /** Which engine holds the state, for messages: `sqlite` or `postgres`. */
  readonly engine: 'sqlite' | 'postgres';
  readonly buckets: BucketsContract;
  readonly audit: AuditContract;
  /** IAM's users, keys, groups, policies, roles and STS sessions; its operations are already asynchronous. */
  readonly iam: IamStore;
  schemaVersion(): Promise<number>;
  /** Commits what is queued and lets the database go; once. */
  close(): Promise<void>;
};
