/**
 * `fwsign audit verify`: recomputes the tree from the entries (the files, or the store's table),
 * checks every checkpoint's signature and root against it, and, given a checkpoint kept
 * elsewhere, that the log extends it. The entries' `prev` chain and sequence numbers name the
 * first bad entry; the checkpoints prove the whole.
 */
import { AuditError } from './errors.js';
import { decodeEntry, encodeEntry } from './entry.js';
import type { LogLine, LogSource } from './log-files.js';
import { readLogFiles } from './log-files.js';
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
  /** Entries read from the log. */
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

/** Verifies a log: its files under an audit dir, or a LogSource read from elsewhere. */
export function verifyLog(log: string | LogSource, opts: VerifyLogOptions): LogReport {
  const {
    lines,
    problems: readProblems,
    checkpoints: stored,
  } = typeof log === 'string' ? readLogFiles(log) : log;
  const problems: LogProblem[] = readProblems.map((reason) => ({ reason }));
  const tree = new MerkleTree();
  const chain = readChain(lines, tree, problems);
  let verified = 0;
  /** Entries below this are proven by a checkpoint whose root matched. */
  let proven = 0;
  const signed: Checkpoint[] = [];
  for (const c of [...stored, ...(opts.trusted ?? [])].sort(
    (a, b) => sizeOf(a.note) - sizeOf(b.note),
  )) {
    const opened = openCheckpoint(c.note, opts.verifier, opts.verifier.name);
    if (!opened.ok) {
      problems.push({ reason: `${c.name}: ${opened.reason}` });
      continue;
    }
    signed.push(opened.checkpoint);
    const p = checkAgainst(tree, opened.checkpoint, c.name, proven);
    if (p) problems.push(p);
    else {
      verified++;
      proven = Math.max(proven, opened.checkpoint.size);
    }
  }
  problems.push(...linkProblems(chain, lines, tree, proven, signed));
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

/**
 * Each line: canonical, its seq its position; collects the positions whose prev link is broken
 * and those holding another position's entry.
 */
function readChain(
  lines: LogLine[],
  tree: MerkleTree,
  problems: LogProblem[],
): { broken: Set<number>; misplaced: Set<number> } {
  const broken = new Set<number>();
  const misplaced = new Set<number>();
  const hashes: string[] = [];
  for (const l of lines) {
    const hash = leafHash(l.bytes);
    tree.appendHash(hash);
    try {
      const e = decodeEntry(l.bytes);
      if (e.seq !== l.position) {
        misplaced.add(l.position);
        problems.push({
          position: l.position,
          reason: `entry ${l.position} (${l.file}) holds seq ${e.seq}: entries were reordered, dropped or inserted`,
        });
      }
      if (e.prev !== hashes[l.position - 1]) broken.add(l.position);
    } catch (err) {
      if (!(err instanceof AuditError)) throw err;
      problems.push({
        position: l.position,
        reason: `entry ${l.position} (${l.file}): ${err.message}`,
      });
    }
    hashes.push(Buffer.from(hash).toString('hex'));
  }
  return { broken, misplaced };
}

/**
 * A broken link into entry i: entry i-1 was changed (its hash moved), or entry i's own `prev`
 * was, or entry i is not where it belongs (one before it dropped, or two swapped). A change to
 * entry i breaks the link into i+1 too, and entries a checkpoint proved cannot be the changed
 * one. For the last entry, whose hash no later link holds, the signed checkpoints decide: if
 * mending its `prev` gives a checkpoint's root, the last entry was the one changed.
 */
function linkProblems(
  { broken, misplaced }: { broken: Set<number>; misplaced: Set<number> },
  lines: LogLine[],
  tree: MerkleTree,
  proven: number,
  signed: Checkpoint[],
): LogProblem[] {
  return [...broken].map((i) => {
    const changed =
      broken.has(i + 1) ||
      misplaced.has(i) ||
      i - 1 < proven ||
      (i === lines.length - 1 && mendsLast(lines, tree, signed))
        ? i
        : i - 1;
    return {
      position: changed,
      reason: `entry ${i} does not link to entry ${i - 1}: entry ${changed} was changed`,
    };
  });
}

function mendsLast(lines: LogLine[], tree: MerkleTree, signed: Checkpoint[]): boolean {
  const i = lines.length - 1;
  let mended: Uint8Array;
  try {
    const e = decodeEntry(lines[i]!.bytes);
    mended = leafHash(
      encodeEntry({ ...e, prev: Buffer.from(tree.leafHashAt(i - 1)).toString('hex') }),
    );
  } catch {
    return false;
  }
  const t = new MerkleTree();
  for (let k = 0; k < i; k++) t.appendHash(tree.leafHashAt(k));
  t.appendHash(mended);
  const root = t.root();
  return signed.some(
    (c) => c.size === i + 1 && Buffer.compare(Buffer.from(c.root), Buffer.from(root)) === 0,
  );
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
