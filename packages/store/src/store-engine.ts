/**
 * The store contract over SignerStore, for both engines: SQLite (the embedded default: its
 * transactions, its commit batching of jobs in commit-writer.ts, synchronous=FULL) and PostgreSQL
 * (the same operations on pg-db.ts). Each call runs SignerStore's operation and hands back its
 * answer, or its refusal, as a promise.
 */
import type { Buckets } from './buckets.js';
import { SignerStore, type OpenOptions } from './store.js';
import type {
  AuditContract,
  BucketsContract,
  StoreContract,
  StoreOperationName,
} from './store-contract.js';
import type { TransparencyLog } from './transparency-log.js';

/** Runs a synchronous call so that a throw becomes a rejection, as an engine over the network rejects. */
function settle<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

/** The contract's operations, each forwarded to SignerStore's method of the same name. */
type Forwarded = { [K in StoreOperationName]: StoreContract[K] };

function forward(store: SignerStore): Forwarded {
  const out: Partial<Record<StoreOperationName, unknown>> = {};
  for (const name of OPERATIONS) {
    out[name] = (...args: unknown[]) =>
      settle(() => (store[name] as (...a: unknown[]) => unknown).apply(store, args));
  }
  return out as Forwarded;
}

const OPERATIONS: readonly StoreOperationName[] = [
  'putSigningProfile',
  'getSigningProfile',
  'listSigningProfiles',
  'cancelSigningProfile',
  'revokeSigningProfile',
  'addProfilePermission',
  'removeProfilePermission',
  'listProfilePermissions',
  'authorize',
  'startSigningJob',
  'describeSigningJob',
  'listSigningJobs',
  'revokeSignature',
  'signPayload',
  'getRevocationStatus',
  'jobArn',
  'storeOtaPayloadVersion',
  'tagResource',
  'untagResource',
  'listTagsForResource',
  'describeCertificate',
  'getCertificate',
  'listCertificates',
  'deleteCertificate',
  'rootCertificate',
  'profileFacts',
] satisfies readonly StoreOperationName[];

function bucketsOf(b: Buckets): BucketsContract {
  return {
    createBucket: (a, n) => settle(() => b.createBucket(a, n)),
    listBuckets: (a) => settle(() => b.listBuckets(a)),
    putBucketVersioning: (a, n, s) => settle(() => b.putBucketVersioning(a, n, s)),
    getBucketVersioning: (a, n) => settle(() => b.getBucketVersioning(a, n)),
    putObject: (a, n, k, body) => settle(() => b.putObject(a, n, k, body)),
    putObjectStream: (a, n, k, body, opts) => settle(() => b.putObjectStream(a, n, k, body, opts)),
    getObject: (a, n, k, v) => settle(() => b.getObject(a, n, k, v)),
    listObjectVersions: (a, n, opts) => settle(() => b.listObjectVersions(a, n, opts)),
  };
}

function auditOf(log: TransparencyLog): AuditContract {
  return {
    size: () => settle(() => log.size),
    publicKey: () => settle(() => log.publicKey()),
    checkpoint: () => settle(() => log.checkpoint()),
    checkpointIfGrown: () => settle(() => log.checkpointIfGrown()),
    latestCheckpoint: () => settle(() => log.latestCheckpoint()),
    prove: (seq) => settle(() => log.prove(seq)),
    entry: (seq) => settle(() => log.entry(seq)),
    entriesOfJob: (jobId) => settle(() => log.entriesOfJob(jobId)),
    consistency: (from, to) => settle(() => log.consistency(from, to)),
  };
}

/** Opens (creating if needed) the store, on `opts.database` (PostgreSQL) or the data dir's SQLite, and serves it by the contract. */
export function openStore(opts: OpenOptions): StoreContract {
  return storeContract(SignerStore.open(opts));
}

/** The contract over a SignerStore already open (the store is then closed by the contract's close). */
export function storeContract(store: SignerStore): StoreContract {
  return {
    ...forward(store),
    importCertificate: (id, input) => settle(() => store.importCertificate(id, input)),
    region: store.region,
    engine: store.engine,
    buckets: bucketsOf(store.buckets),
    audit: auditOf(store.audit),
    iam: store.iam,
    schemaVersion: () => settle(() => store.schemaVersion),
    close: () => settle(() => store.close()),
  };
}
