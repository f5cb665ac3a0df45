/**
 * `fwsign audit verify`: recomputes the tree from the entry files, checks every checkpoint's
 * signature and root against it, and, given a checkpoint kept elsewhere, that the log extends it.
 * The entries' `prev` chain and sequence numbers name the first bad entry; the checkpoints prove
 * the whole.
 */
import { AuditError } from './errors.js';
import { decodeEntry } from './entry.js';
import type { LogLine } from './log-files.js';
import { readCheckpointFiles, readEntryLines } from './log-files.js';
import { leafHash, MerkleTree } from './merkle.js';
import type { Checkpoint } from './checkpoint.js';
import { openCheckpoint } from './checkpoint.js';
import type { NoteVerifier } from './note.js';

export interface LogProblem {
  /** The first entry position the problem concerns; absent for a problem with no position (a bad signature). */
  position?: number;
  reason: string;
}

export interface LogReport {
  ok: boolean;
  /** Entries read from the files. */
  size: number;
  /** Hex root of the tree of every entry read. */
  root: string;
  /** Checkpoints whose signature and root were checked and matched. */
  checkpointsVerified: number;
  /** The earliest entry position any problem names. */
  firstBadEntry?: number;
  problems: LogProblem[];
}

export interface VerifyLogOptions {
  verifier: NoteVerifier;
  /** Checkpoints kept elsewhere (their text): the log must extend each. */
  trusted?: Array<{ name: string; note: string }>;
}

export function verifyLog(auditDir: string, opts: VerifyLogOptions): LogReport {
  const { lines, problems: fileProblems } = readEntryLines(auditDir);
  const problems: LogProblem[] = fileProblems.map((reason) => ({ reason }));
  const tree = new MerkleTree();
  chainProblems(lines, tree, problems);
  const stored = readCheckpointFiles(auditDir).map((c) => ({ name: c.file, note: c.note }));
  let verified = 0;
  let lastGood = 0;
  for (const c of [...stored, ...(opts.trusted ?? [])].sort(
    (a, b) => sizeOf(a.note) - sizeOf(b.note),
  )) {
    const opened = openCheckpoint(c.note, opts.verifier, opts.verifier.name);
    if (!opened.ok) {
      problems.push({ reason: `${c.name}: ${opened.reason}` });
      continue;
    }
    const p = checkAgainst(tree, opened.checkpoint, c.name, lastGood);
    if (p) problems.push(p);
    else {
      verified++;
      lastGood = Math.max(lastGood, opened.checkpoint.size);
    }
  }
  const positions = problems.flatMap((p) => (p.position === undefined ? [] : [p.position]));
  return {
    ok: problems.length === 0,
    size: tree.size,
    root: Buffer.from(tree.root()).toString('hex'),
    checkpointsVerified: verified,
    ...(positions.length > 0 ? { firstBadEntry: Math.min(...positions) } : {}),
    problems,
  };
}

function sizeOf(note: string): number {
  const n = Number(note.split('\n')[1]);
  return Number.isSafeInteger(n) ? n : Number.MAX_SAFE_INTEGER;
}

/** Each line: canonical, its seq its position, its prev the hash of the line before. */
function chainProblems(lines: LogLine[], tree: MerkleTree, problems: LogProblem[]): void {
  let prev: string | undefined;
  for (const l of lines) {
    const hash = leafHash(l.bytes);
    tree.appendHash(hash);
    try {
      const e = decodeEntry(l.bytes);
      if (e.seq !== l.position)
        problems.push({
          position: l.position,
          reason: `entry ${l.position} (${l.file}) holds seq ${e.seq}: entries were reordered, dropped or inserted`,
        });
      else if (e.prev !== prev)
        problems.push({
          position: Math.max(0, l.position - 1),
          reason: `entry ${l.position} names a previous leaf hash ${e.prev ?? '(none)'} but entry ${l.position - 1} hashes to ${prev ?? '(none)'}: entry ${l.position - 1} was changed`,
        });
    } catch (err) {
      if (!(err instanceof AuditError)) throw err;
      problems.push({
        position: l.position,
        reason: `entry ${l.position} (${l.file}): ${err.message}`,
      });
    }
    prev = Buffer.from(hash).toString('hex');
  }
}

function checkAgainst(
  tree: MerkleTree,
  c: Checkpoint,
  name: string,
  lastGood: number,
): LogProblem | undefined {
  if (c.size > tree.size)
    return {
      position: tree.size,
      reason: `${name}: the checkpoint covers ${c.size} entries but the log holds ${tree.size}: entries ${tree.size}..${c.size - 1} are missing (truncated or rolled back)`,
    };
  const root = tree.root(c.size);
  if (Buffer.compare(Buffer.from(root), Buffer.from(c.root)) !== 0)
    return {
      // Entries below the last matching checkpoint are proven; with the prev chain intact the
      // change is the last entry this checkpoint covers.
      position: c.size - 1,
      reason: `${name}: the first ${c.size} entries hash to ${Buffer.from(root).toString('hex')}, not the checkpoint's root ${Buffer.from(c.root).toString('hex')}: an entry between ${lastGood} and ${c.size - 1} was changed`,
    };
  return undefined;
}
