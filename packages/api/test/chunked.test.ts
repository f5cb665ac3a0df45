import { describe, expect, it } from 'vitest';
import { verifyRequest, type ReceivedRequest } from '../src/sigv4.js';
import { verifiedPayload, verifiedPayloadStream } from '../src/payload.js';
import { decodeAwsChunked } from '../src/aws-chunked.js';
import { ApiError } from '../src/errors.js';
import type { Credential } from '../src/credentials.js';

// The worked example of Amazon S3's "Signature Calculations for the Authorization Header:
// Transferring Payload in Multiple Chunks" (PUT of 66560 'a' bytes in 64 KiB + 1 KiB + 0 chunks).
const KEY: Credential = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  accountId: '111122223333',
  principalArn: 'arn:aws:iam::111122223333:root',
};
const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
const CHUNK_SIGS = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];

function body(sigs = CHUNK_SIGS): Buffer {
  const sizes = [65536, 1024, 0];
  return Buffer.concat(
    sizes.map((n, i) =>
      Buffer.concat([
        Buffer.from(`${n.toString(16)};chunk-signature=${sigs[i]}\r\n`),
        Buffer.alloc(n, 'a'),
        Buffer.from('\r\n'),
      ]),
    ),
  );
}

function request(b: Buffer): ReceivedRequest {
  return {
    method: 'PUT',
    rawPath: '/examplebucket/chunkObject.txt',
    query: {},
    headers: {
      host: 's3.amazonaws.com',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=${SEED}`,
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '66560',
      'content-length': String(b.length),
    },
    body: b,
  };
}
const opts = { now: new Date('2013-05-24T00:05:00Z'), region: 'us-east-1' };
const lookup = (k: string): Credential | undefined => (k === KEY.accessKeyId ? KEY : undefined);

describe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD bodies', () => {
  it('verify the seed and every chunk signature of the S3 documentation example', async () => {
    const b = body();
    expect(b.length).toBe(66824);
    const req = request(b);
    const v = await verifyRequest(req, lookup, opts);
    const payload = await verifiedPayload(v, req.headers, req.body);
    expect(payload.length).toBe(66560);
    expect(payload.every((x) => x === 0x61)).toBe(true);
  });

  it('verify and unwrap the same body fed in pieces of any size, as it arrives from a socket', async () => {
    const b = body();
    const req = request(b);
    const v = await verifyRequest(req, lookup, opts);
    for (const size of [5, 4096, 65541]) {
      const pieces = function* (): Generator<Uint8Array> {
        for (let at = 0; at < b.length; at += size) yield b.subarray(at, at + size);
      };
      let got = 0;
      for await (const data of verifiedPayloadStream(v, req.headers, pieces())) {
        expect(data.every((x) => x === 0x61)).toBe(true);
        got += data.length;
      }
      expect(got).toBe(66560);
    }
  });

  it('refuse a chunk whose signature does not chain', async () => {
    const req = request(body([CHUNK_SIGS[0]!, CHUNK_SIGS[0]!, CHUNK_SIGS[2]!]));
    const v = await verifyRequest(req, lookup, opts);
    const e = await verifiedPayload(v, req.headers, req.body).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect([(e as ApiError).code, (e as ApiError).message]).toEqual([
      'SignatureDoesNotMatch',
      'The signature of chunk 1 of the aws-chunked body does not match the signature we calculated.',
    ]);
  });

  it('refuse truncated and garbled framing', () => {
    expect(() => decodeAwsChunked(body().subarray(0, 1000))).toThrow(/runs past the end/);
    expect(() => decodeAwsChunked(Buffer.from('zz\r\n'))).toThrow(/expected '<hex size>/);
    expect(
      decodeAwsChunked(Buffer.from('3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n')).trailers,
    ).toEqual({ 'x-amz-checksum-crc32': 'AAAA' });
  });
});
