import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDirSync, writeFileDurableSync } from './files.js';

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
export function publishSegment(dirs: SegmentDirs, file: string): void {
  const dst = finalPath(dirs, file);
  try {
    renameSync(join(dirs.pending, file), dst);
  } catch (err) {
    // Another process's recovery sweep may have moved it first.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(dst)) throw err;
  }
}

/** Deletes a pending segment no row points at. */
function discardSegment(dirs: SegmentDirs, file: string): void {
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
