/**
 * C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the body of a signed note, `<origin>\n<tree
 * size>\n<base64 root hash>\n`, signed by the log's key.
 */
import { AuditError, checkSize, describe } from './errors.js';
import type { Hash } from './merkle.js';
import type { NoteSigner, NoteVerifier } from './note.js';
import { signNote, verifyNote } from './note.js';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Hash;
}

export function checkpointBody(c: Checkpoint): string {
  if (typeof c.origin !== 'string' || c.origin.length === 0 || /[\n]/.test(c.origin))
    throw new AuditError(
      'MalformedCheckpoint',
      `checkpoint origin: expected one non-empty line, got ${describe(c.origin)}`,
    );
  checkSize('checkpointBody', 'size', c.size);
  if (!(c.root instanceof Uint8Array) || c.root.length !== 32)
    throw new RangeError(`checkpointBody: "root" expected 32 bytes, got ${describe(c.root)}`);
  return `${c.origin}\n${c.size}\n${Buffer.from(c.root).toString('base64')}\n`;
}

export function signCheckpoint(c: Checkpoint, signer: NoteSigner): string {
  return signNote(checkpointBody(c), signer);
}

export function parseCheckpointBody(text: string): Checkpoint {
  const lines = text.split('\n');
  const [origin, size, root] = lines;
  if (lines.length < 4 || !origin || !size || !root)
    throw new AuditError(
      'MalformedCheckpoint',
      'checkpoint: expected origin, tree size and root hash lines',
    );
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size)))
    throw new AuditError(
      'MalformedCheckpoint',
      `checkpoint tree size: expected a decimal number, got ${describe(size)}`,
    );
  const hash = Buffer.from(root, 'base64');
  if (hash.length !== 32 || hash.toString('base64') !== root)
    throw new AuditError(
      'MalformedCheckpoint',
      `checkpoint root hash: expected base64 of 32 bytes, got ${describe(root)}`,
    );
  return { origin, size: Number(size), root: new Uint8Array(hash) };
}

export type CheckpointVerdict =
  { ok: true; checkpoint: Checkpoint } | { ok: false; reason: string };

/** Verifies the note's signature by the log's key, then reads its body. */
export function openCheckpoint(
  note: string,
  verifier: NoteVerifier,
  origin?: string,
): CheckpointVerdict {
  const v = verifyNote(note, verifier);
  if (!v.ok) return v;
  let c: Checkpoint;
  try {
    c = parseCheckpointBody(v.text);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  if (origin !== undefined && c.origin !== origin)
    return {
      ok: false,
      reason: `checkpoint origin is ${JSON.stringify(c.origin)}, expected ${JSON.stringify(origin)}`,
    };
  return { ok: true, checkpoint: c };
}
