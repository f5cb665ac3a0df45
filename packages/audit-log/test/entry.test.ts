import { describe, expect, it } from 'vitest';
import { canonicalJson, decodeEntry, encodeEntry, type AuditEntry } from '../src/index.js';

const entry: AuditEntry = {
  seq: 3,
  time: '2026-12-07T11:00:00.000Z',
  kind: 'job.succeed',
  actor: 'arn:aws:iam::123456789012:user/ci',
  subjects: ['arn:aws:signer:us-east-1:123456789012:/signing-jobs/abc'],
  details: { payloadSha256: 'ab', signature: 'cd' },
  prev: '0'.repeat(64),
};

describe('entries', () => {
  it('encode as canonical JSON, keys sorted, no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: 2 } })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"y":2,"z":1}}',
    );
    const text = Buffer.from(encodeEntry(entry)).toString();
    expect(text.startsWith('{"actor":')).toBe(true);
    expect(decodeEntry(text)).toEqual(entry);
  });

  it('refuse a line that is not canonical or not an entry, with a code', () => {
    const text = Buffer.from(encodeEntry(entry)).toString();
    expect(() => decodeEntry(text.replace('{"actor"', '{ "actor"'))).toThrow(
      expect.objectContaining({
        code: 'MalformedEntry',
        message: 'entry 3: its bytes are not in canonical form',
      }),
    );
    expect(() => decodeEntry(text.replace('job.succeed', 'job.exploded'))).toThrow(
      expect.objectContaining({ code: 'MalformedEntry' }),
    );
    expect(() => decodeEntry('{"seq":1')).toThrow(
      expect.objectContaining({ code: 'MalformedEntry' }),
    );
    expect(() => canonicalJson(1.5)).toThrow(/integers only/);
  });
});
