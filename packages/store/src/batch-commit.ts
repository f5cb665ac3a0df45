import type { ObjectBytes, StagedPart } from './object-bytes.js';
import { ETAG_NOT_YET, insertObjectVersion } from './object-rows.js';
import type { JobAudit } from './audit.js';
import { appendJobEntries, LogAppender } from './audit.js';
import type { Db } from './db.js';
import { immediate } from './db.js';
import type { NewJob } from './job-row.js';
import { findJobByToken, insertJob } from './job-row.js';

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
        const log = new LogAppender(db);
        return batch.map((c) =>
          insertRows(db, log, c.job, c.body ? staged!.parts[p++] : undefined, c.audit),
        );
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
  return {
    jobId: j.job_id,
    jobOwner: j.owner,
    duplicate: false,
    wroteObject: writesObject,
    replaced,
  };
}
