/**
 * The Merkle tree of RFC 9162 §2.1: leaf hash SHA-256(0x00 || data), interior node hash
 * SHA-256(0x01 || left || right), every split at the largest power of two below the size. The
 * tree keeps, per level, the hashes of its complete aligned subtrees, so the hash of any range the
 * RFC's recursion asks for costs O(log n) and appending a leaf O(1) amortised.
 */
import { createHash } from 'node:crypto';
import { checkSize } from './errors.js';

export type Hash = Uint8Array;

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

/** Hashes are plain Uint8Arrays (a Buffer's view, without Buffer's methods in the public type). */
const bytes = (b: Buffer): Hash => new Uint8Array(b);

export function leafHash(data: Uint8Array): Hash {
  return bytes(createHash('sha256').update(LEAF).update(data).digest());
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return bytes(createHash('sha256').update(NODE).update(left).update(right).digest());
}

/** MTH({}) : the hash of the empty string. */
export const EMPTY_ROOT: Hash = bytes(createHash('sha256').digest());

/** The largest power of two strictly below n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export class MerkleTree {
  /** levels[h][i]: hash of the complete subtree of 2^h leaves starting at leaf i * 2^h. */
  private readonly levels: Hash[][] = [[]];

  constructor(leafHashes: Iterable<Hash> = []) {
    for (const h of leafHashes) this.appendHash(h);
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  append(data: Uint8Array): Hash {
    const h = leafHash(data);
    this.appendHash(h);
    return h;
  }

  appendHash(h: Hash): void {
    if (!(h instanceof Uint8Array) || h.length !== 32)
      throw new RangeError(
        `MerkleTree.appendHash: expected a 32-byte hash, got ${h?.length} bytes`,
      );
    this.levels[0]!.push(h);
    // Each time a level gets an even count, its last two complete a subtree one level up.
    for (let lvl = 0; this.levels[lvl]!.length % 2 === 0; lvl++) {
      const row = this.levels[lvl]!;
      const up = (this.levels[lvl + 1] ??= []);
      up.push(nodeHash(row[row.length - 2]!, row[row.length - 1]!));
    }
  }

  leafHashAt(index: number): Hash {
    checkSize('MerkleTree.leafHashAt', 'index', index);
    if (index >= this.size)
      throw new RangeError(
        `MerkleTree.leafHashAt: index ${index} is beyond the tree of ${this.size}`,
      );
    return this.levels[0]![index]!;
  }

  /** MTH of the first `size` leaves (default: all). */
  root(size = this.size): Hash {
    this.checkTreeSize('root', size);
    return size === 0 ? EMPTY_ROOT : this.range(0, size);
  }

  /** PATH(m, D[n]) of RFC 9162 §2.1.3.1: the audit path of leaf `index` in the tree of `size` leaves. */
  inclusionProof(index: number, size = this.size): Hash[] {
    this.checkTreeSize('inclusionProof', size);
    checkSize('MerkleTree.inclusionProof', 'index', index);
    if (index >= size)
      throw new RangeError(
        `MerkleTree.inclusionProof: "index" expected below the tree size ${size}, got ${index}`,
      );
    const out: Hash[] = [];
    this.path(index, 0, size, out);
    return out;
  }

  /** PROOF(m, D[n]) of RFC 9162 §2.1.4.1: proves the tree of `from` leaves is a prefix of the tree of `to`. */
  consistencyProof(from: number, to = this.size): Hash[] {
    this.checkTreeSize('consistencyProof', to);
    checkSize('MerkleTree.consistencyProof', 'from', from);
    if (from > to)
      throw new RangeError(
        `MerkleTree.consistencyProof: "from" expected at most ${to}, got ${from}`,
      );
    const out: Hash[] = [];
    if (from > 0 && from < to) this.subproof(from, 0, to, true, out);
    return out;
  }

  private checkTreeSize(fn: string, size: number): void {
    checkSize(`MerkleTree.${fn}`, 'size', size);
    if (size > this.size)
      throw new RangeError(
        `MerkleTree.${fn}: "size" expected at most the ${this.size} leaves held, got ${size}`,
      );
  }

  /** MTH(D[lo:hi]), hi > lo. The left part of every split is complete and aligned: one lookup. */
  private range(lo: number, hi: number): Hash {
    const n = hi - lo;
    if ((n & (n - 1)) === 0 && lo % n === 0) return this.levels[Math.log2(n)]![lo / n]!;
    const k = splitPoint(n);
    return nodeHash(this.range(lo, lo + k), this.range(lo + k, hi));
  }

  private path(m: number, lo: number, hi: number, out: Hash[]): void {
    const n = hi - lo;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      this.path(m, lo, lo + k, out);
      out.push(this.range(lo + k, hi));
    } else {
      this.path(m - k, lo + k, hi, out);
      out.push(this.range(lo, lo + k));
    }
  }

  private subproof(m: number, lo: number, hi: number, whole: boolean, out: Hash[]): void {
    const n = hi - lo;
    if (m === n) {
      if (!whole) out.push(this.range(lo, hi));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      this.subproof(m, lo, lo + k, whole, out);
      out.push(this.range(lo + k, hi));
    } else {
      this.subproof(m - k, lo + k, hi, false, out);
      out.push(this.range(lo, lo + k));
    }
  }
}
