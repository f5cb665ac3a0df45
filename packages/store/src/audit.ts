/**
 * The transparency log's entries, written into `audit_entries` inside the transaction of the
 * change they record: the database (SQLite or PostgreSQL) commits both or neither, so no change
 * is without its entry and no entry without its change, across kill -9. The sequence number is
 * the entry's leaf index; on SQLite the exporter (transparency-log.ts) copies committed entries to
 * the files operators ship, on PostgreSQL the table is the log.
 */
import { sha256Hex } from './sha256-hex.js';
import {
  encodeEntry,
  leafHash,
  type AuditEntry,
  type EntryKind,
  type JsonValue,
} from '@fwsign/audit-log';
import { jobArn, profileVersionArn } from './arns.js';
import type { StoreContext } from './context.js';
import type { Db } from './db.js';
import { stmt } from './db.js';
import type { RowBatch } from './multi-row.js';
import type { NewJob } from './job-row.js';

export interface AuditRecord {
  kind: EntryKind;
  actor: string;
  subjects: string[];
  details?: Record<string, JsonValue | undefined>;
  /** The job an entry is about, indexed for `fwsign audit prove --job-id`. */
  jobId?: string;
}

/** What LogAppender reads, for a caller reading ahead (db.ts readAhead): the log's last entry (no parameters)… */
export const LOG_TAIL = 'SELECT seq, leaf_hash FROM audit_entries ORDER BY seq DESC LIMIT 1';
/** …and an imported certificate's fingerprint (parameter: its ARN). */
export const CERTIFICATE_SHA256 = 'SELECT sha256 FROM certificates WHERE arn = ?';

const INSERT_ENTRY_HEAD = 'INSERT INTO audit_entries (seq, entry, leaf_hash, job_id, created_at)';

/** The actor of what an operator does on the data dir itself (not through the API). */
export const OPERATOR = 'fwsign:operator';

/**
 * Appends entries inside the transaction that makes the change: the write lock it holds is what
 * makes `seq` (the next leaf index) and `prev` (the last leaf hash) race-free between threads,
 * processes and servers. The log's last leaf is read once, then carried from entry to entry, and
 * each certificate's fingerprint is read once: a batch of jobs appends two entries per job, and
 * on PostgreSQL every read is a round trip made under the write lock all servers share. Made
 * inside the transaction (a retried one makes a new one) and never kept past it.
 */
export class LogAppender {
  /** Undefined until read; null for an empty log. */
  private last: { seq: number; leafHash: Buffer } | null | undefined;
  private readonly fingerprints = new Map<string, string | undefined>();

  /** `rows`: entries are gathered there for one multi-row INSERT by the caller, rather than inserted one by one. */
  constructor(
    private readonly db: Db,
    private readonly rows?: RowBatch,
  ) {
    if (!db.inTransaction)
      throw new Error('appendEntry: expected to run inside the change’s transaction');
  }

  append(time: number, rec: AuditRecord): AuditEntry {
    if (this.last === undefined) {
      const row = stmt(this.db, LOG_TAIL).get() as { seq: number; leaf_hash: Buffer } | undefined;
      this.last = row ? { seq: row.seq, leafHash: row.leaf_hash } : null;
    }
    const last = this.last;
    const details: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(rec.details ?? {})) if (v !== undefined) details[k] = v;
    const entry: AuditEntry = {
      seq: last ? last.seq + 1 : 0,
      time: new Date(time).toISOString(),
      kind: rec.kind,
      actor: rec.actor,
      subjects: rec.subjects,
      details,
      ...(last ? { prev: last.leafHash.toString('hex') } : {}),
    };
    const bytes = encodeEntry(entry);
    const leaf = Buffer.from(leafHash(bytes));
    const row = [entry.seq, Buffer.from(bytes), leaf, rec.jobId ?? null, time];
    if (this.rows) this.rows.add(INSERT_ENTRY_HEAD, row);
    else stmt(this.db, `${INSERT_ENTRY_HEAD} VALUES (?, ?, ?, ?, ?)`).run(...row);
    this.last = { seq: entry.seq, leafHash: leaf };
    return entry;
  }

  /** The certificate a job signed with: its SHA-256 fingerprint (imported material or the profile's Signer-managed key). */
  certificateSha256(j: NewJob): string | undefined {
    const key = j.certificate_arn ?? `${j.owner}\n${j.profile_name}\n${j.profile_version}`;
    if (!this.fingerprints.has(key)) this.fingerprints.set(key, certificateSha256(this.db, j));
    return this.fingerprints.get(key);
  }
}

/** Appends one entry; inside the transaction that makes the change (LogAppender). */
export function appendEntry(db: Db, time: number, rec: AuditRecord): AuditEntry {
  return new LogAppender(db).append(time, rec);
}

/** For the operation modules: appends when the store keeps a log (the default). */
export function record(ctx: StoreContext, rec: AuditRecord): void {
  if (ctx.audit) appendEntry(ctx.db, ctx.now().getTime(), rec);
}

/** What a signing job's entries carry beyond its row: digests and the signature, never a key. */
export interface JobAudit {
  region: string;
  /** Hex SHA-256 of the payload that was signed. */
  payloadSha256?: string;
  /** Base64 of the raw signature. */
  signature?: string;
}

export function jobAudit(
  region: string,
  facts: { payloadSha256?: Uint8Array; signature?: Uint8Array } = {},
): JobAudit {
  return {
    region,
    ...(facts.payloadSha256
      ? { payloadSha256: Buffer.from(facts.payloadSha256).toString('hex') }
      : {}),
    ...(facts.signature ? { signature: Buffer.from(facts.signature).toString('base64') } : {}),
  };
}

function certificateSha256(db: Db, j: NewJob): string | undefined {
  if (j.certificate_arn !== null)
    return (stmt(db, CERTIFICATE_SHA256).get(j.certificate_arn) as { sha256: string } | undefined)
      ?.sha256;
  const row = stmt(
    db,
    'SELECT certificate_der FROM profile_keys WHERE account = ? AND profile_name = ? AND profile_version = ?',
  ).get(j.owner, j.profile_name, j.profile_version) as { certificate_der: Buffer } | undefined;
  return row ? sha256Hex(row.certificate_der) : undefined;
}

/**
 * A committed job's entries, in the job's batch transaction: its start and its outcome for a
 * signing job, one `payload.sign` for SignPayload (no source object).
 */
export function appendJobEntries(log: LogAppender, j: NewJob, a: JobAudit): void {
  const subjects = [
    jobArn(a.region, j.owner, j.job_id),
    profileVersionArn(a.region, j.owner, j.profile_name, j.profile_version),
  ];
  const end = j.completed_at ?? j.created_at;
  if (j.source_bucket === null) {
    log.append(end, {
      kind: 'payload.sign',
      actor: j.requested_by,
      subjects,
      jobId: j.job_id,
      details: {
        platformId: j.platform_id,
        payloadSha256: a.payloadSha256,
        signature: a.signature,
        certificateSha256: log.certificateSha256(j),
      },
    });
    return;
  }
  log.append(j.created_at, {
    kind: 'job.start',
    actor: j.requested_by,
    subjects,
    jobId: j.job_id,
    details: {
      platformId: j.platform_id,
      source: `s3://${j.source_bucket}/${j.source_key}?versionId=${j.source_version}`,
    },
  });
  const ok = j.status === 'Succeeded';
  log.append(end, {
    kind: ok ? 'job.succeed' : 'job.fail',
    actor: j.requested_by,
    subjects,
    jobId: j.job_id,
    details: ok
      ? {
          payloadSha256: a.payloadSha256,
          signature: a.signature,
          certificateSha256: log.certificateSha256(j),
          destination: `s3://${j.dest_bucket}/${j.signed_key}?versionId=${j.signed_version}`,
        }
      : { statusReason: j.status_reason },
  });
}
