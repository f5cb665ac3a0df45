import type { AuditService } from './audit-routes.js';
import type { AcmOperations, StoreSignerOperations } from './operations.js';
import type { IamStore } from '@fwsign/store';
import type { S3Buckets } from './s3.js';

/** What the server needs of the store: Signer operations by name, ACM's four, the buckets. */
export interface ApiStore extends AcmOperations, StoreSignerOperations {
  readonly buckets: S3Buckets;
  /** The transparency log, served read-only under /_fwsign/audit/ (audit-routes.ts). */
  readonly audit?: AuditService;
  close(): void | Promise<void>;
  /** IAM's entities and STS sessions; without them only credentials.json's root keys are known and IAM/STS are not served. */
  readonly iam?: IamStore;
  /** A signing profile's tags, version and permissions as a resource policy (for IAM authorization). */
  profileFacts?(
    accountId: string,
    profileName: string,
  ): Promise<{ tags: Record<string, string>; profileVersion: string; policy?: string } | undefined>;
}

export interface SignerServerOptions {
  dataDir: string;
  store: ApiStore;
  port?: number;
  host?: string;
  region?: string;
  /** Largest JSON request body (Signer, ACM). */
  maxJsonBytes?: number;
  /** Largest S3 object body. */
  maxObjectBytes?: number;
  /** Per-account request rate; `false` turns the limit off. */
  rateLimit?: { ratePerSecond: number; burst: number } | false;
  /** Where access-log lines go (default stderr); `false` for none. */
  accessLog?: ((line: string) => void) | false;
  maxSkewMs?: number;
  /** Closes the store when the server closes (default true). */
  ownsStore?: boolean;
  /** Sign a transparency-log checkpoint this often when the log grew (default: never; `fwsign serve` sets 60 s). */
  checkpointIntervalMs?: number;
  /** For open(): record changes in the transparency log (default true), and the log's name. */
  auditLog?: boolean;
  auditOrigin?: string;
  /** For open(): a PostgreSQL database (`postgres://…`) to keep the state in, shared by every server given it (default: SQLite in dataDir, or FWSIGN_DATABASE). */
  database?: string;
  /** For open(): make Signer-managed keys in this PKCS#11 token (a URI naming it; the store's managedKeysPkcs11Uri). */
  managedKeysPkcs11Uri?: string;
  /** The web console's built files, served at /console/ (none when absent). */
  consoleDir?: string;
  /** Open connections at most (default 1024); more are refused at accept. */
  maxConnections?: number;
  /** Request-body bytes being read at once, over all connections (default 256 MiB). */
  maxBodyBytesInFlight?: number;
  /** Time to receive a request's headers (default 10 s) and all of it (default 120 s). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Longest pause between two pieces of a body before it is refused with RequestTimeout (default 10 s). */
  bodyIdleTimeoutMs?: number;
}

export const DEFAULT_RATE_LIMIT = { ratePerSecond: 5000, burst: 10000 };
export const DEFAULT_MAX_OBJECT_BYTES = 64 * 1024 * 1024;
