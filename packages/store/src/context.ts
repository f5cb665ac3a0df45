import type { Buckets } from './buckets.js';
import type { Db } from './db.js';
import type { ManagedToken } from './managed-token.js';
import type { TokenSealer } from './tokens.js';

/** What every operation module needs; built once by SignerStore.open. */
export interface StoreContext {
  db: Db;
  /** Where db is: the SQLite file, or the PostgreSQL URL (password and all: for further connections only, never shown). */
  database: string;
  region: string;
  tokens: TokenSealer;
  buckets: Buckets;
  masterKey: Uint8Array;
  /** Whether changes are recorded in the transparency log (audit.ts); on unless the operator turned it off. */
  audit: boolean;
  /**
   * The ARN of the caller IAM writes are recorded for (IamStore.asCaller); absent, the operator
   * acting on the data dir (audit.ts OPERATOR).
   */
  caller?: string;
  /** Where new Signer-managed keys are made: this PKCS#11 token, or (undefined) in memory and sealed. */
  managedToken?: ManagedToken;
  /** Injected so tests can move time (expiry, revocation effective times). */
  now(): Date;
}

export function parseJson<T>(text: string | null | undefined): T | undefined {
  return text === null || text === undefined ? undefined : (JSON.parse(text) as T);
}
