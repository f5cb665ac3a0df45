/**
 * What `fwsign audit prove` prints and `fwsign audit check-proof` checks: an entry, its index, the
 * signed checkpoint and the inclusion path. Checking needs the log's public key only.
 */
import { openCheckpoint } from './checkpoint.js';
import { encodeEntry, type AuditEntry } from './entry.js';
import { leafHash } from './merkle.js';
import type { NoteVerifier } from './note.js';
import { verifyInclusion } from './verify-proof.js';

export interface InclusionBundle {
  entry: AuditEntry;
  index: number;
  treeSize: number;
  /** Hex hashes, RFC 9162 PATH order. */
  inclusionPath: string[];
  /** The signed checkpoint (C2SP note text) whose root the path leads to. */
  checkpoint: string;
}

export type BundleVerdict =
  { ok: true; entry: AuditEntry; treeSize: number } | { ok: false; reason: string };

export function checkInclusionBundle(
  bundle: InclusionBundle,
  verifier: NoteVerifier,
): BundleVerdict {
  const b = bundle as Partial<InclusionBundle> | null;
  if (
    !b ||
    typeof b !== 'object' ||
    typeof b.checkpoint !== 'string' ||
    !Array.isArray(b.inclusionPath) ||
    !b.entry
  )
    return { ok: false, reason: 'expected { entry, index, treeSize, inclusionPath, checkpoint }' };
  const cp = openCheckpoint(b.checkpoint, verifier, verifier.name);
  if (!cp.ok) return { ok: false, reason: `checkpoint: ${cp.reason}` };
  if (b.treeSize !== cp.checkpoint.size)
    return {
      ok: false,
      reason: `treeSize ${b.treeSize} is not the checkpoint's size ${cp.checkpoint.size}`,
    };
  if (b.entry.seq !== b.index)
    return { ok: false, reason: `the entry's seq ${b.entry.seq} is not the index ${b.index}` };
  if (!b.inclusionPath.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h)))
    return { ok: false, reason: 'inclusionPath: expected 64-hex-digit hashes' };
  let leaf: Uint8Array;
  try {
    leaf = leafHash(encodeEntry(b.entry));
  } catch (err) {
    return { ok: false, reason: `entry: ${(err as Error).message}` };
  }
  const v = verifyInclusion(
    b.index,
    cp.checkpoint.size,
    leaf,
    b.inclusionPath.map((h) => new Uint8Array(Buffer.from(h, 'hex'))),
    cp.checkpoint.root,
  );
  return v.ok
    ? { ok: true, entry: b.entry, treeSize: cp.checkpoint.size }
    : { ok: false, reason: `inclusion: ${v.reason}` };
}
