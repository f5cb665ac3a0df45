import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { fsyncDirSync, writeFileDurableSync } from './files.js';

/** Pending files of a live process younger than this are left alone by the sweep: they may be mid-job or mid-upload. */
export const PENDING_GRACE_MS = 10 * 60_000;

/**
 * Where object segments live: written and fsynced under `objects/pending/`, made
 * visible by committing rows that point at them, then renamed into
 * `objects/<shard>/`. Readers look in both places.
 */
export interface SegmentDirs {
  root: string;
  pending: string;
}

export function segmentDirs(dataDir: string): SegmentDirs {
  const root = join(dataDir, 'objects');
  return { root, pending: join(root, 'pending') };
}

export function finalPath(dirs: SegmentDirs, file: string): string {
  return join(dirs.root, file.slice(-2), file);
}

export function newSegmentName(): string {
  // The pid prefix lets the sweep of another process tell "mid-job" from "crashed".
  return `${process.pid}-${randomBytes(16).toString('hex')}`;
}

/** Writes the bodies back to back into a new pending segment and makes it durable: the file, then its name in the directory. Nothing is left behind on failure. */
export function writePendingSegment(
  dirs: SegmentDirs,
  file: string,
  bodies: readonly Uint8Array[],
): void {
  try {
    writeFileDurableSync(join(dirs.pending, file), bodies);
    fsyncDirSync(dirs.pending);
  } catch (err) {
    discardSegment(dirs, file);
    throw err;
  }
}

/** Moves a committed segment into place. Not fsynced: if the rename is lost, the next open redoes it. */
function publishSegment(dirs: SegmentDirs, file: string): void {
  const dst = finalPath(dirs, file);
  try {
    renameSync(join(dirs.pending, file), dst);
  } catch (err) {
    // Another process's recovery sweep may have moved it first.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(dst)) throw err;
  }
}

/** Deletes a pending segment no row points at. */
export function discardSegment(dirs: SegmentDirs, file: string): void {
  try {
    unlinkSync(join(dirs.pending, file));
  } catch {
    /* never created, or already gone */
  }
}

/** Deletes a segment wherever it is, once no row references it any more. */
function removeSegment(dirs: SegmentDirs, file: string): void {
  for (const p of [finalPath(dirs, file), join(dirs.pending, file)]) {
    try {
      unlinkSync(p);
    } catch {
      /* not there */
    }
  }
}

/**
 * Makes a written pending segment visible: runs `commit`, the transaction inserting the rows that
 * point into it. If that fails, the segment is deleted. After it, the segments those rows replaced
 * are deleted, and the new one is moved into place, or deleted when no committed row points into it.
 */
export function commitIntoSegment<T>(
  dirs: SegmentDirs,
  file: string | undefined,
  commit: () => T,
  refs: (committed: T) => { referenced: boolean; replaced: string[] },
): T {
  let committed: T;
  try {
    committed = commit();
  } catch (err) {
    if (file !== undefined) discardSegment(dirs, file);
    throw err;
  }
  const { referenced, replaced } = refs(committed);
  for (const f of replaced) removeSegment(dirs, f);
  if (file === undefined) return committed;
  if (!referenced) {
    discardSegment(dirs, file);
    return committed;
  }
  try {
    publishSegment(dirs, file);
  } catch {
    // Committed already: readers find the file in pending/, and the next open moves it.
  }
  return committed;
}

/**
 * Opens a committed segment wherever it is: a segment is committed before its writer (possibly
 * another process) renames it from pending/ into place, so it can be in either, and the rename
 * can land between the two opens: then the final path is tried once more.
 */
function openSegment(dirs: SegmentDirs, file: string): number {
  const paths = [finalPath(dirs, file), join(dirs.pending, file)];
  for (const path of [...paths, paths[0]!]) {
    try {
      return openSync(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error(`segment ${file} of a committed object is in neither ${paths.join(' nor ')}`);
}

/** The bytes of one part of a committed segment. */
export function readSegmentPart(
  dirs: SegmentDirs,
  part: { file: string; offset: number; size: number },
): Uint8Array {
  const fd = openSegment(dirs, part.file);
  try {
    // Every byte is read into it below, so it need not be zeroed first.
    const out = Buffer.allocUnsafeSlow(part.size);
    let got = 0;
    while (got < part.size) {
      const n = readSync(fd, out, got, part.size - got, part.offset + got);
      if (n === 0)
        throw new Error(
          `object file ${part.file}: expected ${part.size} bytes at offset ${part.offset}, file ended after ${got}`,
        );
      got += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/**
 * Crash recovery, run on open: a pending file whose row was committed is moved
 * into place; one without a row is deleted (a write or an upload that never committed).
 * Files of another live process that are younger than the grace period are skipped:
 * that process may be mid-job or mid-upload.
 */
export function sweepPendingSegments(
  dirs: SegmentDirs,
  referenced: (file: string) => boolean,
  now = Date.now(),
): { published: number; deleted: number } {
  let published = 0;
  let deleted = 0;
  for (const file of readdirSync(dirs.pending)) {
    const path = join(dirs.pending, file);
    const pid = Number(file.split('-', 1)[0]);
    if (processAlive(pid)) {
      let age: number;
      try {
        age = now - statSync(path).mtimeMs;
      } catch {
        continue;
      }
      if (age < PENDING_GRACE_MS) continue;
    }
    // Another process may be sweeping the same directory: a file gone meanwhile is fine.
    if (referenced(file)) {
      if (!existsSync(finalPath(dirs, file))) {
        publishSegment(dirs, file);
        published++;
      } else {
        unlinkQuiet(path);
      }
    } else if (unlinkQuiet(path)) {
      deleted++;
    }
  }
  if (published + deleted > 0) fsyncDirSync(dirs.pending);
  return { published, deleted };
}

function unlinkQuiet(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
