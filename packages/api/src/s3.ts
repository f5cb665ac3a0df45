import type { BucketsContract } from '@fwsign/store';
import { ApiError, notXmlChar } from './errors.js';
import type { Identity } from './credentials.js';
import { isoDate, parseXmlDocument, xmlDocument, type Node } from './s3-xml.js';

/** What the S3 routes need of the store's buckets (the store contract's, store-contract.ts). */
export type S3Buckets = Pick<
  BucketsContract,
  | 'createBucket'
  | 'listBuckets'
  | 'putBucketVersioning'
  | 'getBucketVersioning'
  | 'putObjectStream'
  | 'getObject'
  | 'listObjectVersions'
>;

export interface S3Request {
  method: string;
  rawPath: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | undefined>;
  body: Uint8Array;
}

export interface S3Response {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
  /** HEAD answers carry the headers of a GET and no body. */
  omitBody?: boolean;
}

/** The S3 operation a path-style request names, for routing and the access log. */
export function s3Operation(
  req: Pick<S3Request, 'method' | 'rawPath' | 'query' | 'headers'>,
): string {
  const { bucket, key } = splitPath(req.rawPath);
  const q = req.query;
  const sub = Object.keys(q).filter((k) => SUBRESOURCES.has(k));
  if (!bucket) return req.method === 'GET' ? 'ListBuckets' : 'Unsupported';
  if (key === undefined) {
    if (req.method === 'PUT' && sub.length === 0) return 'CreateBucket';
    if (req.method === 'HEAD' && sub.length === 0) return 'HeadBucket';
    if (req.method === 'PUT' && sub.length === 1 && 'versioning' in q) return 'PutBucketVersioning';
    if (req.method === 'GET' && sub.length === 1 && 'versioning' in q) return 'GetBucketVersioning';
    if (req.method === 'GET' && sub.length === 1 && 'versions' in q) return 'ListObjectVersions';
    return 'Unsupported';
  }
  if (sub.length > 0) return 'Unsupported';
  if (req.method === 'PUT' && req.headers['x-amz-copy-source'] === undefined) return 'PutObject';
  if (req.method === 'GET') return 'GetObject';
  if (req.method === 'HEAD') return 'HeadObject';
  return 'Unsupported';
}

// Query keys that select another S3 operation on the same path; anything listed here we do not serve.
const SUBRESOURCES = new Set([
  'acl',
  'analytics',
  'cors',
  'delete',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'location',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versioning',
  'versions',
  'website',
  'accelerate',
  'attributes',
  'list-type',
  'session',
]);

/** The operations whose body is an XML document rather than object bytes. */
export const XML_OPERATIONS: ReadonlySet<string> = new Set(['PutBucketVersioning']);

/** Serves one S3 request against the caller's account's buckets. */
export async function handleS3(
  buckets: S3Buckets,
  id: Identity,
  req: S3Request,
  operation: string,
): Promise<S3Response> {
  const { bucket, key } = splitPath(req.rawPath);
  const account = id.accountId;
  switch (operation) {
    case 'ListBuckets': {
      const list = await buckets.listBuckets(account);
      return xml(200, 'ListAllMyBucketsResult', [
        [
          'Owner',
          [
            ['ID', account],
            ['DisplayName', account],
          ],
        ],
        [
          'Buckets',
          list.map((b): Node => [
            'Bucket',
            [
              ['Name', b.name],
              ['CreationDate', isoDate(b.creationDate)],
            ],
          ]),
        ],
      ]);
    }
    case 'CreateBucket':
      await buckets.createBucket(account, bucket!);
      return { status: 200, headers: { location: `/${bucket}` }, body: '' };
    case 'HeadBucket':
      await buckets.getBucketVersioning(account, bucket!);
      return { status: 200, headers: {}, body: '', omitBody: true };
    case 'PutBucketVersioning': {
      const status = parseXmlDocument(req.body, 'VersioningConfiguration')['Status'];
      if (status !== 'Enabled' && status !== 'Suspended') {
        throw new ApiError(
          'MalformedXML',
          400,
          `VersioningConfiguration/Status expected Enabled or Suspended, got ${typeof status === 'string' ? `'${status.slice(0, 64)}'` : status === undefined ? 'nothing' : 'more than one'}`,
        );
      }
      await buckets.putBucketVersioning(account, bucket!, status);
      return { status: 200, headers: {}, body: '' };
    }
    case 'GetBucketVersioning': {
      const v = await buckets.getBucketVersioning(account, bucket!);
      return xml(200, 'VersioningConfiguration', [['Status', v.status]]);
    }
    case 'ListObjectVersions':
      return listVersions(buckets, account, bucket!, req.query);
    case 'GetObject':
    case 'HeadObject': {
      const versionId = one(req.query['versionId']);
      const o = await buckets.getObject(account, bucket!, key!, versionId);
      return {
        status: 200,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(o.contentLength),
          etag: o.etag,
          'last-modified': o.lastModified.toUTCString(),
          'x-amz-version-id': o.versionId,
          'accept-ranges': 'none',
        },
        body: o.body,
        omitBody: operation === 'HeadObject',
      };
    }
    default:
      throw notImplemented(req.method, req.rawPath);
  }
}

/** The answer to an S3 request this subset does not serve. */
export function notImplemented(method: string, rawPath: string): ApiError {
  return new ApiError(
    'NotImplemented',
    501,
    `This server implements only path-style CreateBucket, HeadBucket, Put/GetBucketVersioning, ListObjectVersions, ListBuckets, PutObject, GetObject and HeadObject; ${method} ${rawPath.slice(0, 200)} is not one of them.`,
  );
}

async function listVersions(
  buckets: S3Buckets,
  account: string,
  bucket: string,
  q: S3Request['query'],
): Promise<S3Response> {
  const prefix = one(q['prefix']);
  const keyMarker = one(q['key-marker']);
  const versionIdMarker = one(q['version-id-marker']);
  const encodingType = one(q['encoding-type']);
  if (encodingType !== undefined && encodingType !== 'url')
    throw new ApiError(
      'InvalidArgument',
      400,
      `Invalid Encoding Method specified in Request: encoding-type expected 'url', got '${encodingType.slice(0, 64)}'`,
    );
  // With encoding-type=url, S3 percent-encodes the names a listing echoes, so any key fits in XML.
  const name = encodingType === 'url' ? s3UrlEncode : (s: string) => listable(s, true);
  const maxKeysText = one(q['max-keys']);
  let maxKeys: number | undefined;
  if (maxKeysText !== undefined) {
    if (!/^\d+$/.test(maxKeysText))
      throw new ApiError(
        'InvalidArgument',
        400,
        `max-keys expected a non-negative integer, got '${maxKeysText}'`,
      );
    maxKeys = Math.min(Math.max(Number(maxKeysText), 1), 1000);
  }
  const r = await buckets.listObjectVersions(account, bucket, {
    ...(prefix !== undefined ? { prefix } : {}),
    ...(maxKeys !== undefined ? { maxKeys } : {}),
    ...(keyMarker !== undefined ? { keyMarker } : {}),
    ...(versionIdMarker !== undefined ? { versionIdMarker } : {}),
  });
  return xml(200, 'ListVersionsResult', [
    ['Name', bucket],
    ['Prefix', name(prefix ?? '')],
    ['KeyMarker', name(keyMarker ?? '')],
    ['VersionIdMarker', versionIdMarker ?? ''],
    ['NextKeyMarker', r.nextKeyMarker === undefined ? undefined : name(r.nextKeyMarker)],
    ['NextVersionIdMarker', r.nextVersionIdMarker],
    ['MaxKeys', maxKeys ?? 1000],
    ['EncodingType', encodingType],
    ['IsTruncated', r.isTruncated],
    ...r.versions.map((v): Node => [
      'Version',
      [
        ['Key', name(v.key)],
        ['VersionId', v.versionId],
        ['IsLatest', v.isLatest],
        ['LastModified', isoDate(v.lastModified)],
        ['ETag', v.etag],
        ['Size', v.size],
        ['StorageClass', 'STANDARD'],
        [
          'Owner',
          [
            ['ID', account],
            ['DisplayName', account],
          ],
        ],
      ],
    ]),
  ]);
}

/** As S3 encodes names for encoding-type=url: percent-encoding, '+' for space, '/' kept. */
function s3UrlEncode(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+').replace(/%2F/g, '/');
}

/**
 * Refuses a key XML 1.0 cannot carry: a new one (so every client can list every bucket), or one
 * stored earlier that a listing without encoding-type=url meets.
 */
export function listable(key: string, stored: boolean): string {
  const bad = notXmlChar(key);
  if (bad)
    throw new ApiError(
      'InvalidArgument',
      400,
      `${stored ? 'The key' : 'Object key'} '${encodeURIComponent(key).slice(0, 200)}' holds ${bad}, which XML 1.0 cannot carry in a listing${stored ? '; list with encoding-type=url' : ''}`,
    );
  return key;
}

function xml(status: number, root: string, children: Node[]): S3Response {
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument(root, children),
  };
}

/** Path-style: `/<bucket>/<key...>`; the key is percent-decoded, '/' inside it kept. */
export function splitPath(rawPath: string): { bucket?: string; key?: string } {
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  if (path === '') return {};
  const slash = path.indexOf('/');
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new ApiError(
        'InvalidURI',
        400,
        `Could not parse the specified URI: malformed percent-encoding in '${s.slice(0, 100)}'`,
      );
    }
  };
  if (slash < 0) return { bucket: decode(path) };
  const key = path.slice(slash + 1);
  return { bucket: decode(path.slice(0, slash)), ...(key === '' ? {} : { key: decode(key) }) };
}

const one = (v: string | string[] | undefined): string | undefined =>
  Array.isArray(v) ? v[v.length - 1] : v;
