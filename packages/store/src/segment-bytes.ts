/**
 * SQLite's engine keeps object bytes in segment files (segment-files.ts): bodies are written to a
 * temporary file under `objects/pending/` and fsynced (with its directory), then the rows are
 * committed, then the file is renamed into `objects/<shard>/`. A crash before the commit leaves an
 * unreferenced pending file (deleted on next open); a crash after it leaves a referenced one
 * (moved into place on next open). Readers look in both places, so they never see half an object
 * nor miss a committed one.
 *
 * A signing batch's objects share one segment, so a batch costs one file fsync instead of one per
 * job. Versions are immutable, so a segment is deleted only when no row references it any more.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './db.js';
import { stmt } from './db.js';
import type { ObjectBytes, ObjectRef, ObjectUpload, StagedBodies } from './object-bytes.js';
import type { SegmentDirs } from './segment-files.js';
import {
  commitIntoSegment,
  newSegmentName,
  readSegmentPart,
  sweepPendingSegments,
  writePendingSegment,
} from './segment-files.js';
import { SegmentUpload } from './segment-upload.js';

export class SegmentBytes implements ObjectBytes {
  constructor(
    private readonly db: Db,
    readonly dirs: SegmentDirs,
    create: boolean,
  ) {
    if (!create) return;
    mkdirSync(dirs.pending, { recursive: true, mode: 0o700 });
    // All 256 shards up front, so publishing a file is a bare rename.
    for (let i = 0; i < 256; i++)
      mkdirSync(join(dirs.root, i.toString(16).padStart(2, '0')), {
        recursive: true,
        mode: 0o700,
      });
  }

  stage(bodies: readonly Uint8Array[], etags: readonly string[]): StagedBodies {
    const file = newSegmentName();
    let offset = 0;
    const parts = bodies.map((b, i) => {
      const part = { file, offset, size: b.length, etag: etags[i]! };
      offset += b.length;
      return part;
    });
    writePendingSegment(this.dirs, file, bodies);
    return { file, parts };
  }

  commit<T>(
    staged: StagedBodies | undefined,
    commit: () => T,
    refs: (committed: T) => { referenced: boolean; replaced: string[] },
  ): T {
    return commitIntoSegment(this.dirs, staged?.file, commit, refs);
  }

  read(ref: ObjectRef): Uint8Array {
    return readSegmentPart(this.dirs, ref);
  }

  async upload(): Promise<ObjectUpload> {
    const up = await SegmentUpload.begin(this.dirs);
    return {
      get size() {
        return up.size;
      },
      write: (bytes) => up.write(bytes),
      finish: async () => {
        const done = await up.finish();
        return {
          md5: done.md5,
          staged: {
            file: up.file,
            parts: [{ file: up.file, offset: 0, size: done.size, etag: done.etag }],
          },
        };
      },
      abort: () => up.abort(),
    };
  }

  sweep(now: number): { published: number; deleted: number } {
    const referenced = stmt(this.db, 'SELECT 1 FROM objects WHERE file = ?');
    return sweepPendingSegments(this.dirs, (file) => referenced.get(file) !== undefined, now);
  }
}
