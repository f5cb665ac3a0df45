import { ChunkBytes } from './chunk-bytes.js';
import type { Db } from './db.js';
import { dialectOf } from './db.js';
import type { ObjectBytes } from './object-bytes.js';
import type { SegmentDirs } from './segment-files.js';
import { SegmentBytes } from './segment-bytes.js';

/**
 * The engine's object bytes for `db`. With `create`, SQLite's directories are made (the store's
 * open); without, they are assumed made (the commit worker's connection to the same store).
 */
export function objectBytesFor(db: Db, dirs: SegmentDirs, create = false): ObjectBytes {
  return dialectOf(db) === 'postgres' ? new ChunkBytes(db) : new SegmentBytes(db, dirs, create);
}
