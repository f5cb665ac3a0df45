/**
 * The store's side of the transparency log: the Merkle tree over `audit_entries`, kept in memory
 * and extended from the table; signed checkpoints; proofs for the API and the CLI.
 *
 * On SQLite (one data dir) the exporter also copies committed entries into the append-only files
 * under `<dataDir>/audit/` (idempotent by sequence number, fsynced), with the checkpoints and the
 * public key beside them: the files operators ship. On PostgreSQL the table is the log: the
 * servers sharing it write no files (each would keep a diverging copy), and every server's
 * checkpoints are the one log's (audit-table.ts reads it for `audit verify --database`).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
  ftruncateSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  CHECKPOINTS_DIR,
  checkpointFileName,
  ENTRIES_DIR,
  ENTRIES_PER_FILE,
  entryFileName,
  formatVerifierKey,
  MerkleTree,
  PUBLIC_KEY_FILE,
  signCheckpoint,
  type AuditEntry,
  type InclusionBundle,
  type NoteSigner,
} from '@fwsign/audit-log';
import { logSigner } from './audit-key.js';
import type { Db } from './db.js';
import { dialectOf, immediate, stmt } from './db.js';
import { ensureFileTextSync, fsyncDirSync } from './files.js';

export interface CheckpointRecord {
  size: number;
  note: string;
  createdAt: number;
}

const hex = (h: Uint8Array): string => Buffer.from(h).toString('hex');

export class TransparencyLog {
  /** `<dataDir>/audit`, where the files are kept; undefined on PostgreSQL, whose table is the log. */
  readonly dir: string | undefined;
  private readonly tree = new MerkleTree();
  private signerCache: NoteSigner | undefined;
  /** The exporter's knowledge of the files, re-checked by size so another process's writes are seen. */
  private exported: { count: number; file: string; bytes: number } | undefined;

  constructor(
    private readonly db: Db,
    dataDir: string,
    private readonly masterKey: Uint8Array,
    private readonly region: string,
    private readonly origin?: string,
  ) {
    this.dir = dialectOf(db) === 'sqlite' ? join(dataDir, 'audit') : undefined;
  }

  /** The log's signer (made on first use) and, with files, its public key file. */
  signer(): NoteSigner {
    if (!this.signerCache) {
      this.signerCache = logSigner(this.db, this.masterKey, this.region, this.origin);
      if (this.dir !== undefined) {
        mkdirSync(this.dir, { recursive: true, mode: 0o700 });
        const pub = join(this.dir, PUBLIC_KEY_FILE);
        ensureFileTextSync(pub, `${formatVerifierKey(this.signerCache)}\n`, 0o644);
      }
    }
    return this.signerCache;
  }

  publicKey(): string {
    return formatVerifierKey(this.signer());
  }

  /** Brings the in-memory tree up to the table's committed entries; returns the size. */
  sync(): number {
    const rows = stmt(
      this.db,
      'SELECT leaf_hash FROM audit_entries WHERE seq >= ? ORDER BY seq',
    ).all(this.tree.size) as Array<{ leaf_hash: Buffer }>;
    for (const r of rows) this.tree.appendHash(new Uint8Array(r.leaf_hash));
    return this.tree.size;
  }

  /**
   * Appends the committed entries the files lack (none are kept on PostgreSQL). Under the
   * database's write lock, so two processes never write the same line; a line cut off by a crash
   * is cut back and rewritten.
   */
  exportEntries(): void {
    const audit = this.dir;
    if (audit === undefined) return;
    immediate(this.db, () => {
      const dir = join(audit, ENTRIES_DIR);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      let count = this.exportedCount(dir);
      const rows = stmt(
        this.db,
        'SELECT seq, entry FROM audit_entries WHERE seq >= ? ORDER BY seq',
      ).all(count) as Array<{ seq: number; entry: Buffer }>;
      let i = 0;
      while (i < rows.length) {
        const start = count - (count % ENTRIES_PER_FILE);
        const file = join(dir, entryFileName(start));
        const isNew = !existsSync(file);
        const take = rows.slice(i, i + (start + ENTRIES_PER_FILE - count));
        const fd = openSync(file, 'a', 0o644);
        try {
          writeSync(fd, Buffer.concat(take.flatMap((r) => [r.entry, Buffer.from('\n')])));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        if (isNew) fsyncDirSync(dir);
        count += take.length;
        i += take.length;
        this.exported = { count, file, bytes: statSync(file).size };
      }
    });
  }

  /** How many entries the files hold; a trailing partial line (a crash mid-write) is removed. */
  private exportedCount(dir: string): number {
    const e = this.exported;
    if (e && existsSync(e.file) && statSync(e.file).size === e.bytes) return e.count;
    let start = 0;
    while (existsSync(join(dir, entryFileName(start + ENTRIES_PER_FILE))))
      start += ENTRIES_PER_FILE;
    const file = join(dir, entryFileName(start));
    if (!existsSync(file)) return start;
    const text = readFileSync(file);
    const end = text.lastIndexOf(0x0a) + 1;
    if (end < text.length) {
      const fd = openSync(file, 'r+');
      try {
        ftruncateSync(fd, end);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    let lines = 0;
    for (let i = 0; i < end; i++) if (text[i] === 0x0a) lines++;
    this.exported = { count: start + lines, file, bytes: end };
    return start + lines;
  }

  /**
   * A signed checkpoint of every committed entry, after the files (if kept) hold them: stored in
   * the table and as `audit/checkpoints/<size>.txt`. The same size twice gives the stored one
   * back, whichever server stored it.
   */
  checkpoint(): CheckpointRecord {
    const signer = this.signer();
    this.exportEntries();
    const size = this.sync();
    const stored = this.checkpointOfSize(size) ?? this.signAndStore(size, signer);
    if (this.dir !== undefined) {
      // Also for a checkpoint already in the table: a kill -9 after its commit left no file, or
      // (before files were written aside) a short one.
      const dir = join(this.dir, CHECKPOINTS_DIR);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      ensureFileTextSync(join(dir, checkpointFileName(size)), stored.note, 0o644);
    }
    return stored;
  }

  private signAndStore(size: number, signer: NoteSigner): CheckpointRecord {
    const root = this.tree.root(size);
    const note = signCheckpoint({ origin: signer.name, size, root }, signer);
    stmt(
      this.db,
      'INSERT INTO audit_checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ).run(size, Buffer.from(root), note, Date.now());
    // DO NOTHING: another process may have stored this size first; its note is the one kept.
    return this.checkpointOfSize(size)!;
  }

  /** A checkpoint only when the tree grew since the last one (the schedule's call). */
  checkpointIfGrown(): CheckpointRecord | undefined {
    const latest = this.latestCheckpoint();
    const size = this.sync();
    if (latest && latest.size === size) return undefined;
    return this.checkpoint();
  }

  latestCheckpoint(): CheckpointRecord | undefined {
    const r = stmt(
      this.db,
      'SELECT size, note, created_at FROM audit_checkpoints ORDER BY size DESC LIMIT 1',
    ).get() as { size: number; note: string; created_at: number } | undefined;
    return r && { size: r.size, note: r.note, createdAt: r.created_at };
  }

  private checkpointOfSize(size: number): CheckpointRecord | undefined {
    const r = stmt(
      this.db,
      'SELECT size, note, created_at FROM audit_checkpoints WHERE size = ?',
    ).get(size) as { size: number; note: string; created_at: number } | undefined;
    return r && { size: r.size, note: r.note, createdAt: r.created_at };
  }

  entry(seq: number): AuditEntry | undefined {
    const r = stmt(this.db, 'SELECT entry FROM audit_entries WHERE seq = ?').get(seq) as
      { entry: Buffer } | undefined;
    return r && (JSON.parse(r.entry.toString('utf8')) as AuditEntry);
  }

  /** The entries recorded for a job, in order. */
  entriesOfJob(jobId: string): AuditEntry[] {
    return (
      stmt(this.db, 'SELECT entry FROM audit_entries WHERE job_id = ? ORDER BY seq').all(
        jobId,
      ) as Array<{
        entry: Buffer;
      }>
    ).map((r) => JSON.parse(r.entry.toString('utf8')) as AuditEntry);
  }

  /** The inclusion proof of entry `seq` against the latest checkpoint (made now if none covers it). */
  prove(seq: number): InclusionBundle | undefined {
    const entry = this.entry(seq);
    if (!entry) return undefined;
    let cp = this.latestCheckpoint();
    if (!cp || cp.size <= seq) cp = this.checkpoint();
    this.sync();
    return {
      entry,
      index: seq,
      checkpoint: cp.note,
      treeSize: cp.size,
      inclusionPath: this.tree.inclusionProof(seq, cp.size).map(hex),
    };
  }

  /** RFC 9162 consistency proof between two sizes of the committed log. */
  consistency(from: number, to: number): string[] {
    this.sync();
    return this.tree.consistencyProof(from, to).map(hex);
  }

  get size(): number {
    return this.sync();
  }
}
