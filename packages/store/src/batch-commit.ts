import type { ObjectBytes, StagedPart } from './object-bytes.js';
import {
  BUCKET_VERSIONING,
  bucketRowOf,
  ETAG_NOT_YET,
  insertObjectVersion,
  newVersionId,
} from './object-rows.js';
import { versionsWithBytes } from './chunk-bytes.js';
import { insertsOf, RowBatch } from './multi-row.js';
import type { JobAudit } from './audit.js';
import { appendJobEntries, CERTIFICATE_SHA256, LOG_TAIL, LogAppender } from './audit.js';
import type { Db } from './db.js';
import { dialectOf, immediate, readAhead, runAll } from './db.js';
import type { NewJob } from './job-row.js';
import { findJobByToken, INSERT_JOB_HEAD, insertJob, jobValues } from './job-row.js';

/** A finished job waiting to be committed, with the signed object to make visible together with its row. */
export interface BatchJob {
  job: NewJob;
  body?: Uint8Array;
  /** The job's transparency-log facts; absent when the operator turned the log off. */
  audit?: JobAudit;
}

interface Outcome {
  jobId: string;
  jobOwner: string;
  /** Another process (or an earlier batch) committed the same clientRequestToken first. */
  duplicate: boolean;
  wroteObject: boolean;
  /** Segment files no row references any more once this job's object replaced a "null" version. */
  replaced: string[];
}

export interface CommittedBatch {
  /** The segment holding the batch's signed objects, if it had any and any of them was new (SQLite). */
  file?: string;
  outcomes: Outcome[];
}

/**
 * Stages a batch's signed objects (on SQLite one pending segment: one fsync of the file and one of
 * its directory for the whole batch), commits every job row and object row (and, on PostgreSQL,
 * the objects' bytes) in one transaction, then settles the staged bytes (object-bytes.ts). A
 * failure leaves nothing behind: no rows, and no bytes.
 * Blocking: it runs on the commit worker's thread, which has nothing else to do, and on the
 * store's own thread only in close() and where no worker could start.
 */
export function writeAndCommit(
  db: Db,
  bytes: ObjectBytes,
  batch: readonly BatchJob[],
): CommittedBatch {
  const bodies = batch.flatMap((c) => (c.body ? [c.body] : []));
  // A signed object's ETag is left to its first read (object-rows.ts ETAG_NOT_YET).
  const staged =
    bodies.length === 0
      ? undefined
      : bytes.stage(
          bodies,
          bodies.map(() => ETAG_NOT_YET),
        );
  const outcomes = bytes.commit(
    staged,
    () =>
      immediate(db, () => {
        // Inside: a transaction retried after SQLITE_BUSY or a PostgreSQL serialization failure
        // starts again from the first part and a fresh read of the log's tail.
        let p = 0;
        const parts = batch.map((c) => (c.body ? staged!.parts[p++] : undefined));
        if (dialectOf(db) === 'postgres') return insertBatch(db, batch, parts);
        const log = new LogAppender(db);
        return batch.map((c, i) => insertRows(db, log, c.job, parts[i], c.audit));
      }),
    // Every job of the batch may have been a duplicate token: then nothing points at the segment.
    (os) => ({
      referenced: os.some((o) => o.wroteObject),
      replaced: os.flatMap((o) => o.replaced),
    }),
  );
  return staged?.file !== undefined && outcomes.some((o) => o.wroteObject)
    ? { file: staged.file, outcomes }
    : { outcomes };
}

function insertRows(
  db: Db,
  log: LogAppender,
  j: NewJob,
  part: StagedPart | undefined,
  audit: JobAudit | undefined,
): Outcome {
  if (j.client_token !== null) {
    const prior = findJobByToken(db, j.invoker, j.client_token);
    if (prior) return { ...prior, duplicate: true, wroteObject: false, replaced: [] };
  }
  let replaced: string[] = [];
  const writesObject = part !== undefined && j.dest_bucket !== null && j.signed_key !== null;
  if (writesObject) {
    const v = insertObjectVersion(db, part, j.invoker, j.dest_bucket!, j.signed_key!);
    j.signed_version = v.versionId;
    replaced = v.replacedFiles;
  }
  insertJob(db, j);
  if (audit) appendJobEntries(log, j, audit);
  return committed(j, writesObject, replaced);
}

const committed = (j: NewJob, wroteObject: boolean, replaced: string[]): Outcome => ({
  jobId: j.job_id,
  jobOwner: j.owner,
  duplicate: false,
  wroteObject,
  replaced,
});

/**
 * insertRows for a whole batch on PostgreSQL, where each statement is a round trip made under the
 * write lock all servers share: what the batch reads (its tokens in one query, each destination
 * bucket's versioning, the log's tail, the certificates' fingerprints) is asked in one round trip,
 * and what it writes in two more: its objects with their bytes (one statement, the bytes as binary
 * parameters), then its job rows and log entries (one INSERT per table, sent as one text). Same rules, same outcomes as insertRows job by job: a token already
 * committed, or met earlier in this batch, gives that job.
 */
function insertBatch(
  db: Db,
  batch: readonly BatchJob[],
  parts: ReadonlyArray<StagedPart | undefined>,
): Outcome[] {
  const tokenReads = tokenLookups(batch);
  const buckets = new Map<string, [string, string]>();
  const certificates = new Set<string>();
  for (const c of batch) {
    const j = c.job;
    if (j.dest_bucket !== null)
      buckets.set(`${j.invoker}\0${j.dest_bucket}`, [j.invoker, j.dest_bucket]);
    if (c.audit && j.certificate_arn !== null) certificates.add(j.certificate_arn);
  }
  readAhead(db, [
    ...tokenReads,
    ...[...buckets.values()].map((params) => ({ sql: BUCKET_VERSIONING, params })),
    ...(batch.some((c) => c.audit) ? [{ sql: LOG_TAIL, params: [] }] : []),
    ...[...certificates].map((arn) => ({ sql: CERTIFICATE_SHA256, params: [arn] })),
  ]);
  const rows = new RowBatch();
  const log = new LogAppender(db, rows);
  const known = jobsByToken(db, tokenReads);
  const versioning = new Map<string, string | null>();
  const versions: Array<{ row: unknown[]; body: Uint8Array }> = [];
  const outcomes = batch.map((c, i): Outcome => {
    const j = c.job;
    if (j.client_token !== null) {
      const key = tokenKey(j.invoker, j.client_token);
      const prior = known.get(key);
      if (prior) return { ...prior, duplicate: true, wroteObject: false, replaced: [] };
      known.set(key, { jobId: j.job_id, jobOwner: j.owner });
    }
    const part = parts[i];
    let replaced: string[] = [];
    const writesObject = part !== undefined && j.dest_bucket !== null && j.signed_key !== null;
    if (writesObject) {
      const bucket = `${j.invoker}\0${j.dest_bucket}`;
      if (!versioning.has(bucket))
        versioning.set(bucket, bucketRowOf(db, j.invoker, j.dest_bucket!).versioning);
      if (part.body && versioning.get(bucket) === 'Enabled') {
        j.signed_version = newVersionId();
        versions.push({
          row: [
            j.invoker,
            j.dest_bucket,
            j.signed_key,
            j.signed_version,
            part.file,
            part.offset,
            part.etag,
            part.size,
            Date.now(),
          ],
          body: part.body,
        });
      } else {
        // A "null" version replaces the key's last one, or a body of several chunks: one by one.
        const v = insertObjectVersion(db, part, j.invoker, j.dest_bucket!, j.signed_key!);
        j.signed_version = v.versionId;
        replaced = v.replacedFiles;
      }
    }
    rows.add(INSERT_JOB_HEAD, jobValues(j));
    if (c.audit) appendJobEntries(log, j, c.audit);
    return committed(j, writesObject, replaced);
  });
  // The objects' bytes go as binary parameters, one statement; the rows' small values inlined, as one text.
  const objects = versionsWithBytes(versions);
  const changes = runAll(db, objects);
  runAll(db, rows.take());
  objects.forEach((o, i) => {
    if (changes[i] !== o.inserts)
      throw new Error(
        `object rows: expected ${o.inserts} first chunks inserted with their rows, inserted ${changes[i]}`,
      );
  });
  return outcomes;
}

const tokenKey = (invoker: string, token: string) => `${invoker}\0${token}`;

/** The reads that find the committed jobs of the batch's client tokens: one per 15,000 tokens. */
function tokenLookups(batch: readonly BatchJob[]): Array<{ sql: string; params: unknown[] }> {
  const asked = batch.flatMap((c) =>
    c.job.client_token === null ? [] : [[c.job.invoker, c.job.client_token]],
  );
  return insertsOf(
    'tokens',
    asked,
    undefined,
    (values) => `SELECT j.invoker, j.client_token, j.job_id, j.owner
                   FROM (VALUES ${values}) AS t (invoker, client_token)
                   JOIN jobs j ON j.invoker = t.invoker AND j.client_token = t.client_token
                  WHERE j.client_token IS NOT NULL`,
  );
}

/** The committed jobs tokenLookups' reads find, by tokenKey. */
function jobsByToken(
  db: Db,
  lookups: ReadonlyArray<{ sql: string; params: unknown[] }>,
): Map<string, { jobId: string; jobOwner: string }> {
  const found = new Map<string, { jobId: string; jobOwner: string }>();
  for (const { sql, params } of lookups)
    for (const r of db.prepare(sql).all(...params) as Array<{
      invoker: string;
      client_token: string;
      job_id: string;
      owner: string;
    }>)
      found.set(tokenKey(r.invoker, r.client_token), { jobId: r.job_id, jobOwner: r.owner });
  return found;
}
