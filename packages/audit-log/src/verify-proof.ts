/**
 * The verifiers of RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency), step by step as the
 * RFC writes them: they need nothing but the proof, the sizes and the hashes, never the log.
 */
import { timingSafeEqual } from 'node:crypto';
import { checkSize } from './errors.js';
import type { Hash } from './merkle.js';
import { nodeHash } from './merkle.js';

export type ProofVerdict = { ok: true } | { ok: false; reason: string };

const equal = (a: Hash, b: Hash): boolean => a.length === b.length && timingSafeEqual(a, b);
const odd = (n: bigint): boolean => (n & 1n) === 1n;

/** Is the leaf with hash `leaf` at `index` in the tree of `size` leaves whose root is `root`? */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Hash,
  proof: readonly Hash[],
  root: Hash,
): ProofVerdict {
  checkSize('verifyInclusion', 'index', index);
  checkSize('verifyInclusion', 'size', size);
  if (index >= size)
    return { ok: false, reason: `index ${index} is not below the tree size ${size}` };
  // BigInt: the RFC's shifts are over 64-bit values, and JS bit operators cut at 32.
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return { ok: false, reason: 'the proof is longer than the path to the root' };
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn))
        while (!odd(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return { ok: false, reason: 'the proof is shorter than the path to the root' };
  if (!equal(r, root)) return { ok: false, reason: 'the proof leads to a different root hash' };
  return { ok: true };
}

/** Is the tree of `from` leaves with root `fromRoot` a prefix of the tree of `to` leaves with root `toRoot`? */
export function verifyConsistency(
  from: number,
  to: number,
  proof: readonly Hash[],
  fromRoot: Hash,
  toRoot: Hash,
): ProofVerdict {
  checkSize('verifyConsistency', 'from', from);
  checkSize('verifyConsistency', 'to', to);
  if (from > to)
    return { ok: false, reason: `the first tree (${from}) is larger than the second (${to})` };
  if (from === to) {
    if (proof.length !== 0)
      return { ok: false, reason: 'a proof between equal sizes must be empty' };
    return equal(fromRoot, toRoot)
      ? { ok: true }
      : { ok: false, reason: `two different root hashes for the same size ${to}` };
  }
  // Every tree extends the empty one.
  if (from === 0)
    return proof.length === 0
      ? { ok: true }
      : { ok: false, reason: 'a proof from size 0 must be empty' };
  if (proof.length === 0) return { ok: false, reason: 'the proof is empty' };
  const path = (from & (from - 1)) === 0 ? [fromRoot, ...proof] : [...proof];
  let fn = BigInt(from - 1);
  let sn = BigInt(to - 1);
  while (odd(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0n) return { ok: false, reason: 'the proof is longer than needed' };
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn))
        while (!odd(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return { ok: false, reason: 'the proof is shorter than needed' };
  if (!equal(fr, fromRoot))
    return { ok: false, reason: `the proof does not lead to the root of size ${from}` };
  if (!equal(sr, toRoot))
    return { ok: false, reason: `the proof does not lead to the root of size ${to}` };
  return { ok: true };
}
