import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MerkleTree, verifyConsistency, verifyInclusion } from '../src/index.js';

// Certificate Transparency's reference vectors (RFC 6962 test data, as in Go's merkle package and
// Trillian): eight leaves and the roots of the trees of 0..8 of them.
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const hex = (hs: Uint8Array[]) => hs.map((h) => Buffer.from(h).toString('hex'));
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

// ---- an independent reference, written from RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 -----------
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const k = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1); // largest power of 2 < n
function MTH(D: Uint8Array[]): Uint8Array {
  if (D.length === 0) return sha();
  if (D.length === 1) return sha(new Uint8Array([0]), D[0]!);
  const s = k(D.length);
  return sha(new Uint8Array([1]), MTH(D.slice(0, s)), MTH(D.slice(s)));
}
function PATH(m: number, D: Uint8Array[]): Uint8Array[] {
  if (D.length === 1) return [];
  const s = k(D.length);
  return m < s
    ? [...PATH(m, D.slice(0, s)), MTH(D.slice(s))]
    : [...PATH(m - s, D.slice(s)), MTH(D.slice(0, s))];
}
function SUBPROOF(m: number, D: Uint8Array[], b: boolean): Uint8Array[] {
  const n = D.length;
  if (m === n) return b ? [] : [MTH(D)];
  const s = k(n);
  return m <= s
    ? [...SUBPROOF(m, D.slice(0, s), b), MTH(D.slice(s))]
    : [...SUBPROOF(m - s, D.slice(s), false), MTH(D.slice(0, s))];
}
const PROOF = (m: number, D: Uint8Array[]) => SUBPROOF(m, D, true);
const leafOf = (d: Uint8Array) => sha(new Uint8Array([0]), d);

describe('the Merkle tree against RFC 6962 / 9162 reference vectors', () => {
  const tree = new MerkleTree();
  for (const l of LEAVES) tree.append(l);

  it('gives the reference root for every size 0..8', () => {
    expect(ROOTS.map((_, n) => Buffer.from(tree.root(n)).toString('hex'))).toEqual(ROOTS);
  });

  it('gives the reference inclusion proofs', () => {
    expect(hex(tree.inclusionProof(0, 8))).toEqual([
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    expect(hex(tree.inclusionProof(5, 8))).toEqual([
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
  });

  it('gives the reference consistency proofs, and they verify', () => {
    const cases: Array<[number, number, string[]]> = [
      [
        2,
        8,
        [
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
        ],
      ],
      [
        6,
        8,
        [
          '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
          'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
          'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
        ],
      ],
      [
        2,
        5,
        [
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
        ],
      ],
    ];
    for (const [m, n, want] of cases) {
      expect(hex(tree.consistencyProof(m, n))).toEqual(want);
      expect(verifyConsistency(m, n, want.map(bytes), bytes(ROOTS[m]!), bytes(ROOTS[n]!))).toEqual({
        ok: true,
      });
    }
  });
});

describe('the tree against the RFC reference for every size up to 70', () => {
  const data = Array.from({ length: 70 }, (_, i) => Buffer.from(`leaf ${i}`));
  const tree = new MerkleTree();
  for (const d of data) tree.append(d);
  const hashes = data.map(leafOf);

  it('agrees on roots, inclusion proofs and consistency proofs, and every proof verifies', () => {
    for (let n = 1; n <= 70; n++) {
      const D = data.slice(0, n);
      const root = MTH(D);
      expect(tree.root(n)).toEqual(root);
      for (let m = 0; m < n; m++) {
        const p = tree.inclusionProof(m, n);
        expect(p).toEqual(PATH(m, D));
        expect(verifyInclusion(m, n, hashes[m]!, p, root)).toEqual({ ok: true });
      }
      for (let m = 1; m <= n; m++) {
        const p = tree.consistencyProof(m, n);
        expect(p).toEqual(m === n ? [] : PROOF(m, D));
        expect(verifyConsistency(m, n, p, MTH(data.slice(0, m)), root)).toEqual({ ok: true });
      }
    }
  });
});

/** Every way of mangling a proof: each hash with one bit flipped, one hash dropped, one added, two swapped. */
function mangled(proof: Uint8Array[]): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  proof.forEach((h, i) => {
    for (const bit of [0, 255]) {
      const bad = new Uint8Array(h);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      out.push(proof.map((x, j) => (j === i ? bad : x)));
    }
    out.push(proof.filter((_, j) => j !== i));
    if (i + 1 < proof.length && Buffer.compare(h, proof[i + 1]!) !== 0)
      out.push(proof.map((x, j) => (j === i ? proof[i + 1]! : j === i + 1 ? h : x)));
  });
  out.push([...proof, new Uint8Array(32)]);
  return out;
}

describe('tampered proofs', () => {
  const hashes = Array.from({ length: 37 }, (_, i) => leafOf(Buffer.from([i])));
  const tree = new MerkleTree(hashes);

  it('rejects every mangled inclusion proof, a wrong index, leaf or root', () => {
    for (const n of [1, 2, 5, 16, 37])
      for (let m = 0; m < n; m++) {
        const p = tree.inclusionProof(m, n);
        const root = tree.root(n);
        for (const bad of mangled(p))
          expect(verifyInclusion(m, n, hashes[m]!, bad, root).ok).toBe(false);
        if (n > 1) expect(verifyInclusion((m + 1) % n, n, hashes[m]!, p, root).ok).toBe(false);
        expect(verifyInclusion(m, n, hashes[(m + 1) % 37]!, p, root).ok).toBe(false);
        // (A wrong size alone need not fail: the leftmost path has one shape in trees of 5 and 6. The
        // signed checkpoint binds the root to its size.)
        expect(verifyInclusion(m, n, hashes[m]!, p, tree.root(n === 37 ? 36 : n + 1)).ok).toBe(
          false,
        );
      }
    expect(verifyInclusion(5, 5, hashes[5]!, [], tree.root(5))).toEqual({
      ok: false,
      reason: 'index 5 is not below the tree size 5',
    });
  });

  it('rejects every mangled consistency proof and wrong roots', () => {
    for (const n of [3, 8, 21, 37])
      for (let m = 1; m < n; m++) {
        const p = tree.consistencyProof(m, n);
        const [r1, r2] = [tree.root(m), tree.root(n)];
        for (const bad of mangled(p)) expect(verifyConsistency(m, n, bad, r1, r2).ok).toBe(false);
        expect(verifyConsistency(m, n, p, tree.root(m - 1 || 2), r2).ok).toBe(false);
        expect(verifyConsistency(m, n, p, r1, tree.root(n - 1)).ok).toBe(false);
      }
    expect(verifyConsistency(4, 4, [], tree.root(4), tree.root(5))).toEqual({
      ok: false,
      reason: 'two different root hashes for the same size 4',
    });
  });

  it('refuses out-of-range requests with a RangeError naming the argument', () => {
    expect(() => tree.inclusionProof(37, 37)).toThrow(
      /"index" expected below the tree size 37, got 37/,
    );
    expect(() => tree.root(38)).toThrow(/"size" expected at most the 37 leaves held, got 38/);
    expect(() => tree.consistencyProof(5, 4)).toThrow(/"from" expected at most 4, got 5/);
  });
});
