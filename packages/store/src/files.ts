import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** Writes the buffers back to back and fsyncs the file before returning; the file is new (fails if it exists). */
export function writeFileDurableSync(path: string, bodies: readonly Uint8Array[]): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    for (const body of bodies) {
      let off = 0;
      while (off < body.length) off += writeSync(fd, body, off, body.length - off);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Async twin of writeFileDurableSync on libuv's thread pool, so signing proceeds meanwhile; with `syncDirOfNewFile`, also fsyncs the directory that holds the new name. */
export async function writeFileDurable(path: string, bodies: readonly Uint8Array[], syncDirOfNewFile?: string): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  // The name exists once open() returns, so the directory fsync can run beside the data's.
  const dirSynced = syncDirOfNewFile === undefined ? undefined : fsyncDir(syncDirOfNewFile);
  // Awaited in the finally below; this only keeps an early throw from leaving it unobserved.
  dirSynced?.catch(() => undefined);
  try {
    // One writev: a write per body would cost an event-loop round trip each, and the
    // event loop is busy signing, so a batch would wait on it body by body.
    const total = bodies.reduce((n, b) => n + b.length, 0);
    let written = (await fh.writev(bodies as Uint8Array[], 0)).bytesWritten;
    if (written < total) {
      // A short write (rare on a regular file): finish body by body from where it stopped.
      let skip = written;
      for (const body of bodies) {
        if (skip >= body.length) {
          skip -= body.length;
          continue;
        }
        let off = skip;
        skip = 0;
        while (off < body.length) {
          const n = (await fh.write(body, off, body.length - off, written)).bytesWritten;
          off += n;
          written += n;
        }
      }
    }
    await fh.sync();
  } finally {
    await fh.close();
    await dirSynced;
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

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
