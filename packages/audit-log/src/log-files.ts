/**
 * The layout of a log on disk, what the store's exporter writes and `fwsign audit verify` reads:
 *
 *   <data dir>/audit/log.pub                    the log's verifier key (signed-note text form)
 *   <data dir>/audit/entries/0000000000.jsonl   entries 0..4095, one canonical JSON line each
 *   <data dir>/audit/entries/0000004096.jsonl   entries 4096..8191, …
 *   <data dir>/audit/checkpoints/<size>.txt     signed checkpoints
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ENTRIES_DIR = 'entries';
export const CHECKPOINTS_DIR = 'checkpoints';
export const PUBLIC_KEY_FILE = 'log.pub';
export const ENTRIES_PER_FILE = 4096;

export const entryFileName = (firstSeq: number): string =>
  `${String(firstSeq).padStart(10, '0')}.jsonl`;
export const checkpointFileName = (size: number): string => `${String(size).padStart(10, '0')}.txt`;

const ENTRY_FILE = /^([0-9]{10})\.jsonl$/;
const CHECKPOINT_FILE = /^([0-9]{10})\.txt$/;

export interface LogLine {
  /** Position in the log as its source holds it (file start + line number, or row order). */
  position: number;
  /** Where the entry was read: its file, or its table row (for messages). */
  file: string;
  bytes: Buffer;
}

/**
 * A log as `verifyLog` reads it, whatever holds it: the files of a data dir (readLogFiles) or the
 * PostgreSQL store's table (the store's readAuditTable). One verification for both.
 */
export interface LogSource {
  /** The entries in log order; each line's position is its index. */
  lines: LogLine[];
  /** What was found wrong while reading them (a file out of place, a cut-off line). */
  problems: string[];
  /** The checkpoints stored with the log, each named for messages. */
  checkpoints: Array<{ name: string; note: string }>;
}

/** The log held in files under `auditDir`. */
export function readLogFiles(auditDir: string): LogSource {
  return {
    ...readEntryLines(auditDir),
    checkpoints: readCheckpointFiles(auditDir).map((c) => ({ name: c.file, note: c.note })),
  };
}

/** The entry files' lines in order. A file whose name is not where the previous one ended is reported, not skipped. */
export function readEntryLines(auditDir: string): { lines: LogLine[]; problems: string[] } {
  const dir = join(auditDir, ENTRIES_DIR);
  const lines: LogLine[] = [];
  const problems: string[] = [];
  if (!existsSync(dir)) return { lines, problems };
  const files = readdirSync(dir)
    .filter((f) => ENTRY_FILE.test(f))
    .sort();
  for (const f of files) {
    const start = Number(ENTRY_FILE.exec(f)![1]);
    if (start !== lines.length)
      problems.push(
        `${f}: expected the file starting at entry ${lines.length}, found one starting at ${start}`,
      );
    const text = readFileSync(join(dir, f));
    let at = 0;
    while (at < text.length) {
      const nl = text.indexOf(0x0a, at);
      const end = nl < 0 ? text.length : nl;
      lines.push({ position: lines.length, file: f, bytes: text.subarray(at, end) });
      if (nl < 0) problems.push(`${f}: the last line has no newline (a cut-off write)`);
      at = end + 1;
    }
  }
  return { lines, problems };
}

/** The stored checkpoint notes, smallest size first. */
export function readCheckpointFiles(auditDir: string): Array<{ file: string; note: string }> {
  const dir = join(auditDir, CHECKPOINTS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => CHECKPOINT_FILE.test(f))
    .sort()
    .map((f) => ({ file: join(dir, f), note: readFileSync(join(dir, f), 'utf8') }));
}
