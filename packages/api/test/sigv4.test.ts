import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { AuthFailure, NodeSha256, verifyRequest, type ReceivedRequest } from '../src/sigv4.js';
import type { Credential } from '../src/credentials.js';

// AWS's SigV4 test suite, case "get-vanilla" (docs.aws.amazon.com, "Signature Version 4 test suite").
const EXAMPLE: Credential = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  accountId: '111122223333',
  principalArn: 'arn:aws:iam::111122223333:root',
};
const vanilla = (signature: string, extra: Partial<ReceivedRequest> = {}): ReceivedRequest => ({
  method: 'GET',
  rawPath: '/',
  query: {},
  headers: {
    host: 'example.amazonaws.com',
    'x-amz-date': '20150830T123600Z',
    authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
  },
  body: new Uint8Array(),
  ...extra,
});
const GOOD = '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31';
const at = { now: new Date('2015-08-30T12:40:00Z'), region: 'us-east-1' };
const lookup = (k: string): Credential | undefined =>
  k === EXAMPLE.accessKeyId ? EXAMPLE : undefined;

async function failure(p: Promise<unknown>): Promise<AuthFailure> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AuthFailure);
  return e as AuthFailure;
}

describe('verifyRequest', () => {
  it('accepts the AWS test suite get-vanilla request', async () => {
    const v = await verifyRequest(vanilla(GOOD), lookup, at);
    expect(v.credential.accountId).toBe('111122223333');
    expect(v.auth.service).toBe('service');
  });

  it('rejects a signature with one hex digit changed', async () => {
    const f = await failure(verifyRequest(vanilla(GOOD.replace(/^5/, '6')), lookup, at));
    expect(f.kind).toBe('bad-signature');
    expect(f.message).toMatch(/does not match/);
  });

  it('rejects a request whose signed path was changed', async () => {
    expect((await failure(verifyRequest(vanilla(GOOD, { rawPath: '/x' }), lookup, at))).kind).toBe(
      'bad-signature',
    );
  });

  it('rejects an unknown access key, a missing header, a skewed clock and a foreign region', async () => {
    const unknown = vanilla(GOOD);
    unknown.headers.authorization = unknown.headers.authorization!.replace(
      'AKIDEXAMPLE',
      'AKIDOTHER',
    );
    expect((await failure(verifyRequest(unknown, lookup, at))).kind).toBe('unknown-key');
    const none = vanilla(GOOD);
    delete none.headers.authorization;
    expect((await failure(verifyRequest(none, lookup, at))).kind).toBe('missing');
    const late = await failure(
      verifyRequest(vanilla(GOOD), lookup, { ...at, now: new Date('2015-08-30T12:52:00Z') }),
    );
    expect(late.kind).toBe('skewed');
    expect(late.message).toMatch(/Signature expired: 20150830T123600Z/);
    expect(
      (await failure(verifyRequest(vanilla(GOOD), lookup, { ...at, region: 'eu-west-1' }))).kind,
    ).toBe('wrong-region');
  });

  it('rejects a malformed Authorization header, naming what it expected', async () => {
    const bad = vanilla(GOOD);
    bad.headers.authorization = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE';
    const f = await failure(verifyRequest(bad, lookup, at));
    expect(f.kind).toBe('malformed');
    expect(f.message).toMatch(/expected 'AWS4-HMAC-SHA256 Credential=/);
  });

  it('verifies a request botocore signed, with a query, a JSON body and an encoded path', async () => {
    // botocore is an independent SigV4 implementation; it signs, we verify.
    const script = `
import json, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
req = AWSRequest(method='POST', url='http://127.0.0.1:9/tags/arn%3Aaws%3Asigner%3Aus-east-1%3A111122223333%3A%2Fsigning-profiles%2FP?b=2&a=x%20y&a=1', data=b'{"tags":{"k":"v"}}', headers={'Content-Type': 'application/json'})
SigV4Auth(Credentials('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'), 'signer', 'us-east-1').add_auth(req)
print(json.dumps({k.lower(): v for k, v in req.headers.items()}))
`;
    const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const headers = JSON.parse(r.stdout) as Record<string, string>;
    headers.host = '127.0.0.1:9';
    const req: ReceivedRequest = {
      method: 'POST',
      rawPath: '/tags/arn%3Aaws%3Asigner%3Aus-east-1%3A111122223333%3A%2Fsigning-profiles%2FP',
      query: { b: '2', a: ['x y', '1'] },
      headers,
      body: Buffer.from('{"tags":{"k":"v"}}'),
    };
    const now = { region: 'us-east-1' };
    await expect(verifyRequest(req, lookup, now)).resolves.toMatchObject({
      auth: { service: 'signer' },
    });
    const tampered = { ...req, body: Buffer.from('{"tags":{"k":"w"}}') };
    expect((await failure(verifyRequest(tampered, lookup, now))).kind).toBe('bad-signature');
  });

  it('checks against the secret the credential has now, not one remembered from an earlier request', async () => {
    await expect(verifyRequest(vanilla(GOOD), lookup, at)).resolves.toMatchObject({
      credential: EXAMPLE,
    });
    const rotated: Credential = {
      ...EXAMPLE,
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ',
    };
    expect((await failure(verifyRequest(vanilla(GOOD), () => rotated, at))).kind).toBe(
      'bad-signature',
    );
  });
});

describe('NodeSha256', () => {
  const mac = async (
    key: string | Uint8Array,
    ...parts: Array<string | Uint8Array>
  ): Promise<string> => {
    const h = new NodeSha256(key);
    for (const p of parts) h.update(p);
    return Buffer.from(await h.digest()).toString('hex');
  };
  const ref = (key: string, data: string): string =>
    createHmac('sha256', key).update(data).digest('hex');

  it('gives node:crypto HMACs for string keys, also when asked again and when key and data split the same bytes differently', async () => {
    expect(await mac('ab', 'c')).toBe(ref('ab', 'c'));
    expect(await mac('a', 'bc')).toBe(ref('a', 'bc'));
    expect(await mac('a', 'b', new Uint8Array([0x63]))).toBe(ref('a', 'bc'));
    expect(await mac('ab', 'c')).toBe(ref('ab', 'c'));
    expect(await mac('k\u00e9y', 'd\u00e4ta')).toBe(ref('k\u00e9y', 'd\u00e4ta'));
    expect(await mac(new Uint8Array(Buffer.from('ab')), 'c')).toBe(ref('ab', 'c'));
  });
});
