import type { SegmentPart } from './object-rows.js';
import { insertObjectVersion, pendingParts } from './object-rows.js';
import type { JobAudit } from './audit.js';
import { appendJobEntries } from './audit.js';
import type { Db } from './db.js';
import { immediate } from './db.js';
import type { NewJob } from './job-row.js';
import { findJobByToken, insertJob } from './job-row.js';
import type { SegmentDirs } from './segment-files.js';
import { commitIntoSegment, newSegmentName, writePendingSegment } from './segment-files.js';

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
  /** The segment holding the batch's signed objects, if it had any and any of them was new. */
  file?: string;
  outcomes: Outcome[];
}

/**
 * Writes a batch's signed objects into one pending segment (one fsync of the file and one of its
 * directory for the whole batch), commits every job row and object row in one transaction, then
 * moves the segment into place. A failure leaves nothing behind: no rows, and the segment deleted.
 * Blocking: it runs on the commit worker's thread, which has nothing else to do, and on the
 * store's own thread only in close() and where no worker could start.
 */
export function writeAndCommit(
  db: Db,
  dirs: SegmentDirs,
  batch: readonly BatchJob[],
): CommittedBatch {
  const { file, bodies, parts } = segmentOf(batch);
  if (file !== undefined) writePendingSegment(dirs, file, bodies);
  return commitAndPlace(db, dirs, batch, file, parts);
}

function segmentOf(batch: readonly BatchJob[]): {
  file?: string;
  bodies: Uint8Array[];
  parts: SegmentPart[];
} {
  const bodies = batch.flatMap((c) => (c.body ? [c.body] : []));
  if (bodies.length === 0) return { bodies, parts: [] };
  return { file: newSegmentName(), bodies, parts: pendingParts(bodies) };
}

function commitAndPlace(
  db: Db,
  dirs: SegmentDirs,
  batch: readonly BatchJob[],
  file: string | undefined,
  parts: SegmentPart[],
): CommittedBatch {
  let p = 0;
  const outcomes = commitIntoSegment(
    dirs,
    file,
    () =>
      immediate(db, () =>
        batch.map((c) =>
          insertRows(db, c.job, c.body ? { file: file!, part: parts[p++]! } : undefined, c.audit),
        ),
      ),
    // Every job of the batch may have been a duplicate token: then nothing points at the segment.
    (os) => ({
      referenced: os.some((o) => o.wroteObject),
      replaced: os.flatMap((o) => o.replaced),
    }),
  );
  return file !== undefined && outcomes.some((o) => o.wroteObject)
    ? { file, outcomes }
    : { outcomes };
}

function insertRows(
  db: Db,
  j: NewJob,
  obj: { file: string; part: SegmentPart } | undefined,
  audit: JobAudit | undefined,
): Outcome {
  if (j.client_token !== null) {
    const prior = findJobByToken(db, j.invoker, j.client_token);
    if (prior) return { ...prior, duplicate: true, wroteObject: false, replaced: [] };
  }
  let replaced: string[] = [];
  const writesObject = obj !== undefined && j.dest_bucket !== null && j.signed_key !== null;
  if (writesObject) {
    const v = insertObjectVersion(db, obj.file, obj.part, j.invoker, j.dest_bucket!, j.signed_key!);
    j.signed_version = v.versionId;
    replaced = v.replacedFiles;
  }
  insertJob(db, j);
  if (audit) appendJobEntries(db, j, audit);
  return {
    jobId: j.job_id,
    jobOwner: j.owner,
    duplicate: false,
    wroteObject: writesObject,
    replaced,
  };
}
