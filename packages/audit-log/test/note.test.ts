import { describe, expect, it } from 'vitest';
import {
  AuditError,
  formatSignerKey,
  formatVerifierKey,
  MerkleTree,
  openCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
  signerFromSeed,
  signNote,
  verifyNote,
} from '../src/index.js';

// The example of Go's golang.org/x/mod/sumdb/note (note_test.go, TestSign): Ed25519 is
// deterministic, so the signature line must come out byte for byte.
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

describe('signed notes (C2SP signed-note)', () => {
  it("reproduces Go sumdb/note's signature and verifier key", () => {
    const signer = parseSignerKey(GO_SKEY);
    expect(signNote(GO_TEXT, signer)).toBe(`${GO_TEXT}\n${GO_SIG}`);
    expect(formatVerifierKey(signer)).toBe(GO_VKEY);
    expect(verifyNote(`${GO_TEXT}\n${GO_SIG}`, parseVerifierKey(GO_VKEY))).toEqual({
      ok: true,
      text: GO_TEXT,
    });
  });

  it('round-trips a signer key', () => {
    const seed = new Uint8Array(32).fill(7);
    expect(parseSignerKey(formatSignerKey('log.example', seed)).keyId).toBe(
      signerFromSeed('log.example', seed).keyId,
    );
  });

  it('rejects an edited text, a flipped signature and another key', () => {
    const note = signNote(GO_TEXT, parseSignerKey(GO_SKEY));
    const v = parseVerifierKey(GO_VKEY);
    expect(verifyNote(note.replace('answer', 'answers'), v)).toEqual({
      ok: false,
      reason: 'the signature by PeterNeumann does not verify',
    });
    const other = signerFromSeed('PeterNeumann', new Uint8Array(32).fill(1));
    expect(verifyNote(signNote(GO_TEXT, other), v)).toEqual({
      ok: false,
      reason: 'no signature by PeterNeumann+c74f20a3',
    });
    expect(verifyNote(GO_TEXT, v).ok).toBe(false);
  });

  it('refuses malformed keys with a code', () => {
    expect(() =>
      parseVerifierKey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
    ).toThrow(
      expect.objectContaining({
        code: 'MalformedKey',
        message: expect.stringContaining('key id c74f20a4 does not match'),
      }),
    );
    expect(() => parseVerifierKey('nope')).toThrow(AuditError);
  });
});

describe('checkpoints (C2SP tlog-checkpoint)', () => {
  const signer = signerFromSeed('fwsign/123456789012/us-east-1', new Uint8Array(32).fill(9));
  const tree = new MerkleTree();
  for (let i = 0; i < 5; i++) tree.append(Buffer.from([i]));

  it('is origin, size, base64 root, then the signature line', () => {
    const note = signCheckpoint({ origin: signer.name, size: 5, root: tree.root() }, signer);
    const lines = note.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      signer.name,
      '5',
      Buffer.from(tree.root()).toString('base64'),
      '',
    ]);
    expect(lines[4]).toMatch(/^— fwsign\/123456789012\/us-east-1 [A-Za-z0-9+/]{91}=$/);
    const opened = openCheckpoint(note, signer, signer.name);
    expect(opened.ok && opened.checkpoint.size).toBe(5);
  });

  it('rejects a checkpoint whose size or root was changed, or another origin', () => {
    const note = signCheckpoint({ origin: signer.name, size: 5, root: tree.root() }, signer);
    expect(openCheckpoint(note.replace('\n5\n', '\n4\n'), signer).ok).toBe(false);
    expect(openCheckpoint(note, signer, 'elsewhere')).toEqual({
      ok: false,
      reason: 'checkpoint origin is "fwsign/123456789012/us-east-1", expected "elsewhere"',
    });
  });
});
