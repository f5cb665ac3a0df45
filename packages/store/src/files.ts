import { dirname } from 'node:path';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { open } from 'node:fs/promises';

/** Writes the buffers back to back and fsyncs the file before returning; the file is new (fails if it exists). */
export function writeFileDurableSync(path: string, bodies: readonly Uint8Array[]): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    // One writev for a whole batch of signed objects; a short write (rare on a regular file) is
    // finished body by body from where it stopped.
    let skip = bodies.length > 0 ? writevSync(fd, bodies) : 0;
    for (const body of bodies) {
      if (skip >= body.length) {
        skip -= body.length;
        continue;
      }
      let off = skip;
      skip = 0;
      while (off < body.length) off += writeSync(fd, body, off, body.length - off);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a directory's entries (a create or a rename) durable; POSIX asks for this separately from the file's fsync. */
export function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsyncDirSync off the event loop, for writers that must not block it. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Makes `path` hold exactly `text`, durably, when it does not already: written aside and renamed
 * into place, so a kill -9 mid-write leaves the old file or the new one, never a short one that
 * a later existence check would take as written; a file a crash left short is written again.
 */
export function ensureFileTextSync(path: string, text: string, mode: number): void {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  const aside = `${path}.${process.pid}.tmp`;
  writeFileSync(aside, text, { mode, flush: true });
  renameSync(aside, path);
  fsyncDirSync(dirname(path));
}
