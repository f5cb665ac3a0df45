import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { SignerStore } from '@fwsign/store';
import { DEV, REGION, signedFetch, startServer, s3Client, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
  expect((await s3(h.url, 'PUT', '/xml-bucket')).status).toBe(200);
});
afterAll(() => h.close());

/** One SigV4-signed S3 request; the body's hash is part of the signature. */
export async function s3(
  url: string,
  method: string,
  path: string,
  body?: string,
  query?: Record<string, string>,
): Promise<{ status: number; text: string; code: string | undefined; message: string }> {
  const res = await signedFetch(url, {
    method,
    path,
    service: 's3',
    ...(body !== undefined ? { body } : {}),
    ...(query ? { query } : {}),
  });
  const text = await res.text();
  // Parsed as any client would: an answer no XML parser takes fails here.
  const err = (
    text
      ? (new XMLParser({ parseTagValue: false, htmlEntities: true }).parse(text) as {
          Error?: { Code: string; Message: string };
        })
      : {}
  ).Error;
  return { status: res.status, text, code: err?.Code, message: err?.Message ?? '' };
}

const versioning = (body: string) => s3(h.url, 'PUT', '/xml-bucket', body, { versioning: '' });

describe('S3 request XML (defect 1: parsed by fast-xml-parser with size and depth limits)', () => {
  it('refuses a 128 KiB body before parsing it with MaxMessageLengthExceeded', async () => {
    const r = await versioning(`<VersioningConfiguration>${'<Status '.repeat(16384)}`);
    expect([r.status, r.code]).toEqual([400, 'MaxMessageLengthExceeded']);
    expect(r.message).toContain('at most 16384 bytes');
  });

  it('answers MalformedXML for a document just under the limit that is not well-formed', async () => {
    const r = await versioning(`<VersioningConfiguration>${'<Status '.repeat(2000)}`);
    expect([r.status, r.code]).toEqual([400, 'MalformedXML']);
  });

  it('takes namespace prefixes and character references as XML defines them', async () => {
    const ok = await versioning(
      '<?xml version="1.0"?><s3:VersioningConfiguration xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:Status>En&#x61;b&#108;ed</s3:Status></s3:VersioningConfiguration>',
    );
    expect(ok.status).toBe(200);
    const got = await s3(h.url, 'GET', '/xml-bucket', undefined, { versioning: '' });
    expect(got.text).toContain('<Status>Enabled</Status>');
  });

  it('refuses DTDs, undefined entities, mismatched tags, deep nesting and a wrong root', async () => {
    const cases: Array<[string, string]> = [
      [
        '<!DOCTYPE V [<!ENTITY e "Enabled">]><VersioningConfiguration><Status>&e;</Status></VersioningConfiguration>',
        'document type declarations',
      ],
      ['<VersioningConfiguration><Status>&e;</Status></VersioningConfiguration>', "'&e;"],
      ['<VersioningConfiguration><Status>Enabled</VersioningConfiguration>', 'closing tag'],
      [
        `<VersioningConfiguration>${'<a>'.repeat(50)}${'</a>'.repeat(50)}</VersioningConfiguration>`,
        'nested',
      ],
      [
        '<Versioning><Status>Enabled</Status></Versioning>',
        'expected one <VersioningConfiguration> root',
      ],
      [
        '<VersioningConfiguration><Status>Enabled</Status><Status>Suspended</Status></VersioningConfiguration>',
        'more than one',
      ],
    ];
    for (const [body, why] of cases) {
      const r = await versioning(body);
      expect([r.status, r.code, body]).toEqual([400, 'MalformedXML', body]);
      expect(r.message).toContain(why);
    }
  });

  it('refuses a character reference beyond U+10FFFF or to a control character (defect 2)', async () => {
    for (const ref of ['&#x110000;', '&#0;', '&#xFFFE;']) {
      const r = await versioning(
        `<VersioningConfiguration><Status>${ref}</Status></VersioningConfiguration>`,
      );
      expect([r.status, r.code]).toEqual([400, 'MalformedXML']);
      expect(r.message).toContain(`character reference '${ref}'`);
    }
  });
});

describe('listing keys XML 1.0 cannot carry (defect 4)', () => {
  it('refuses a new key with a control character, so every client can list the bucket', async () => {
    const r = await s3(h.url, 'PUT', '/xml-bucket/a%00b', 'x');
    expect([r.status, r.code]).toEqual([400, 'InvalidArgument']);
    expect(r.message).toContain("Object key 'a%00b' holds U+0000 at offset 1");
  });

  it('lists a key stored before with encoding-type=url as S3 does; without it, says to use it', async () => {
    // Written by the store itself, as a data dir from before this check would hold it.
    const store = SignerStore.open({ dataDir: h.dataDir });
    try {
      store.buckets.putObject('000000000000', 'xml-bucket', 'a\u0000b', new Uint8Array([1]));
      store.buckets.putObject(
        '000000000000',
        'xml-bucket',
        'dir/with space+é',
        new Uint8Array([2]),
      );
    } finally {
      store.close();
    }
    const client = s3Client(h.url);
    try {
      const listed = await client.send(
        new ListObjectVersionsCommand({ Bucket: 'xml-bucket', EncodingType: 'url' }),
      );
      expect(listed.EncodingType).toBe('url');
      expect(listed.Versions?.map((v) => v.Key).sort()).toEqual([
        'a%00b',
        'dir/with+space%2B%C3%A9',
      ]);
      const plain = (await client
        .send(new ListObjectVersionsCommand({ Bucket: 'xml-bucket' }))
        .catch((e: unknown) => e)) as { name: string; message: string };
      expect(plain.name).toBe('InvalidArgument');
      expect(plain.message).toContain('list with encoding-type=url');
    } finally {
      client.destroy();
    }
    const bogus = await s3(h.url, 'GET', '/xml-bucket', undefined, {
      versions: '',
      'encoding-type': 'base64',
    });
    expect([bogus.status, bogus.code]).toEqual([400, 'InvalidArgument']);
  });
});
