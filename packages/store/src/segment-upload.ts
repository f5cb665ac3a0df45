import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from './files.js';
import type { SegmentDirs } from './segment-files.js';
import { discardSegment, newSegmentName } from './segment-files.js';

/**
 * Bytes gathered before one write: a 64 MiB object is 64 writes, and 32 uploads at once hold
 * 32 MiB between them.
 */
export const UPLOAD_WRITE_BYTES = 1024 * 1024;

/** What an upload measured of the bytes it wrote. */
export interface UploadedBytes {
  size: number;
  /** The raw MD5, for Content-MD5. */
  md5: Buffer;
  /** S3's ETag of a single-part upload: the quoted hex MD5. */
  etag: string;
}

/**
 * One object's bytes on their way to disk: written as they arrive into a new pending segment
 * (mode 0600) while their MD5 is computed, then fsynced with the directory entry. Until a row
 * points at it, the file is an uncommitted segment like any other: abort() deletes it, and after
 * a crash the sweep at open does (its name carries our pid, so a live process's upload is left alone).
 */
export class SegmentUpload {
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private written = 0;
  private readonly md5 = createHash('md5');
  private closed = false;

  private constructor(
    private readonly dirs: SegmentDirs,
    readonly file: string,
    private readonly fh: FileHandle,
  ) {}

  static async begin(dirs: SegmentDirs): Promise<SegmentUpload> {
    const file = newSegmentName();
    return new SegmentUpload(dirs, file, await open(join(dirs.pending, file), 'wx', 0o600));
  }

  /** Bytes taken so far. */
  get size(): number {
    return this.written + this.heldBytes;
  }

  /** Takes the next bytes; they must not change afterwards (they may be held until the next write). */
  async write(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    this.md5.update(bytes);
    this.held.push(bytes);
    this.heldBytes += bytes.length;
    if (this.heldBytes >= UPLOAD_WRITE_BYTES) await this.flush();
  }

  /** Writes what is held, fsyncs the file and its directory entry, and closes it. */
  async finish(): Promise<UploadedBytes> {
    await this.flush();
    await this.fh.sync();
    this.closed = true;
    await this.fh.close();
    await fsyncDir(this.dirs.pending);
    const md5 = this.md5.digest();
    return { size: this.written, md5, etag: `"${md5.toString('hex')}"` };
  }

  /** Deletes the file; safe to call at any point, and again. */
  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.fh.close().catch(() => undefined);
    }
    discardSegment(this.dirs, this.file);
  }

  private async flush(): Promise<void> {
    const bufs = this.held;
    this.held = [];
    this.heldBytes = 0;
    // writev may write less than asked (rare on a regular file): go on from where it stopped.
    while (bufs.length > 0) {
      let { bytesWritten: n } = await this.fh.writev(bufs);
      this.written += n;
      while (bufs.length > 0 && n >= bufs[0]!.length) n -= bufs.shift()!.length;
      if (n > 0) bufs[0] = bufs[0]!.subarray(n);
    }
  }
}
