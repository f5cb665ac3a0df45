import { SignatureV4 } from '@smithy/signature-v4';
import type { Operation, ServiceModel, ShapeRef } from './model/types.js';
import { acmModel, shapeOf, signerModel } from './model/load.js';
import { encodeJson, plainText } from './model/encode.js';
import { NodeSha256 } from './sigv4.js';

/**
 * A small model-driven client for this server's Signer and ACM APIs, used by the `fwsign` verbs:
 * it serializes an operation's input the way the AWS SDKs do (URI labels, query, JSON body),
 * signs it with SigV4, and decodes the answer (timestamps back to Dates, blobs to bytes).
 */
export interface ClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Called with the outgoing request and the raw response (`--debug`); never given the secret. */
  debug?: (line: string) => void;
}

/** An error answered by the server, with the AWS code the SDKs would throw. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function callSigner(
  config: ClientConfig,
  operation: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const op = signerModel.operations[operation];
  if (!op)
    throw new TypeError(
      `callSigner: "operation" expected a Signer operation, got ${JSON.stringify(operation)}`,
    );
  const { path, query, body } = restJsonRequest(signerModel, op, input);
  const res = await send(
    config,
    'signer',
    op.http.method,
    path,
    query,
    body === undefined ? {} : { 'content-type': 'application/json' },
    body,
  );
  if (res.status >= 300) throw restJsonError(res);
  const doc = res.text === '' ? {} : (JSON.parse(res.text) as Record<string, unknown>);
  return op.output
    ? (decodeJsonOutput(signerModel, op.output, doc) as Record<string, unknown>)
    : {};
}

/** A rest-json error answer (Signer's, and fwsign's own routes') as the SDKs would throw it. */
function restJsonError(res: { status: number; headers: Headers; text: string }): ServiceError {
  let doc: Record<string, unknown> = {};
  try {
    doc = res.text === '' ? {} : (JSON.parse(res.text) as Record<string, unknown>);
  } catch {
    // Not JSON (a proxy's page): the text itself is the message.
  }
  return new ServiceError(
    res.headers.get('x-amzn-errortype')?.split(':')[0] ??
      plainText(doc.code ?? doc.__type ?? 'UnknownError'),
    res.status,
    plainText(doc.message ?? doc.Message ?? res.text),
  );
}

/**
 * fwsign's own route (ota.ts): the FreeRTOS OTA job document of a signing job, built by the
 * server from the job's signed object, as compact JSON. `query` is the route's: filepath,
 * certfile, streamname, fileType, updateDataUrl, authScheme, protocol (repeatable). A job the
 * service does not stand behind (not succeeded, revoked) is a ServiceError ConflictException.
 */
export async function getOtaJobDocument(
  config: ClientConfig,
  jobId: string,
  query: Record<string, string | string[]>,
): Promise<string> {
  const path = `/_fwsign/signing-jobs/${encodeURIComponent(jobId)}/ota-job-document`;
  const res = await send(config, 'signer', 'GET', path, query, {}, undefined);
  if (res.status >= 300) throw restJsonError(res);
  return res.text;
}

/**
 * S3 GetObject, path style, the way the AWS SDK for S3 signs it (the path encoded once, the
 * payload hash in x-amz-content-sha256): for the verbs that fetch what a signing job wrote.
 */
export async function getS3Object(
  config: ClientConfig,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<Uint8Array> {
  const path = `/${s3Encode(bucket)}/${key.split('/').map(s3Encode).join('/')}`;
  const res = await send(
    config,
    's3',
    'GET',
    path,
    versionId === undefined ? {} : { versionId },
    {},
    undefined,
  );
  if (res.status >= 300) {
    const code = /<Code>([^<]+)<\/Code>/.exec(res.text)?.[1] ?? 'UnknownError';
    throw new ServiceError(
      code,
      res.status,
      /<Message>([^<]*)<\/Message>/.exec(res.text)?.[1] ??
        `s3://${bucket}/${key}: HTTP ${res.status}`,
    );
  }
  return res.bytes;
}

/** RFC 3986 unreserved characters stay; everything else is %XX, as S3's SigV4 canonical URI wants. */
const s3Encode = (s: string): string =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

export async function callAcm(
  config: ClientConfig,
  operation: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const op = acmModel.operations[operation];
  if (!op)
    throw new TypeError(
      `callAcm: "operation" expected an ACM operation, got ${JSON.stringify(operation)}`,
    );
  const body = JSON.stringify(op.input ? encodeJson(acmModel, op.input, input) : {});
  const res = await send(
    config,
    'acm',
    'POST',
    '/',
    {},
    {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `CertificateManager.${operation}`,
    },
    body,
  );
  const doc = res.text === '' ? {} : (JSON.parse(res.text) as Record<string, unknown>);
  if (res.status >= 300)
    throw new ServiceError(
      plainText(doc.__type ?? 'UnknownError')
        .split('#')
        .pop()!,
      res.status,
      plainText(doc.message ?? doc.Message ?? res.text),
    );
  return op.output ? (decodeJsonOutput(acmModel, op.output, doc) as Record<string, unknown>) : {};
}

/** Where each input member goes on the wire, by the model's `location`. */
function restJsonRequest(
  model: ServiceModel,
  op: Operation,
  input: Record<string, unknown>,
): { path: string; query: Record<string, string | string[]>; body?: string } {
  const shape = op.input
    ? shapeOf(model, op.input.shape)
    : { type: 'structure' as const, members: {} };
  const query: Record<string, string | string[]> = {};
  const body: Record<string, unknown> = {};
  let path = op.http.requestUri;
  let hasBody = false;
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const v = input[name];
    if (v === undefined || v === null) continue;
    const wire = ref.locationName ?? name;
    if (ref.location === 'uri') {
      path = path.replace(`{${wire}}`, encodeURIComponent(textOf(model, ref, v)));
    } else if (ref.location === 'querystring') {
      query[wire] = Array.isArray(v) ? v.map((x) => textOf(model, ref, x)) : textOf(model, ref, v);
    } else {
      body[name] = encodeJson(model, ref, v);
      hasBody = true;
    }
  }
  const memberHasBody = Object.values(shape.members ?? {}).some((r) => !r.location);
  return {
    path,
    query,
    ...(hasBody || (memberHasBody && op.http.method !== 'GET')
      ? { body: JSON.stringify(body) }
      : {}),
  };
}

function textOf(model: ServiceModel, ref: ShapeRef, v: unknown): string {
  const shape = shapeOf(model, ref.shape);
  const item = shape.type === 'list' ? shapeOf(model, shape.member!.shape) : shape;
  if (item.type === 'timestamp')
    return (v instanceof Date ? v : new Date(String(v))).toISOString().replace(/\.000Z$/, 'Z');
  return String(v);
}

/** Turns a JSON answer back into values: timestamps become Dates, blobs bytes. */
function decodeJsonOutput(model: ServiceModel, ref: ShapeRef, v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  const shape = shapeOf(model, ref.shape);
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      for (const [name, m] of Object.entries(shape.members ?? {})) {
        const x = decodeJsonOutput(model, m, (v as Record<string, unknown>)[name]);
        if (x !== undefined) out[name] = x;
      }
      return out;
    }
    case 'list':
      return (v as unknown[]).map((x) => decodeJsonOutput(model, shape.member!, x));
    case 'map':
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([k, x]) => [
          k,
          decodeJsonOutput(model, shape.value!, x),
        ]),
      );
    case 'timestamp':
      return typeof v === 'number' ? new Date(v * 1000) : new Date(plainText(v));
    case 'blob':
      return new Uint8Array(Buffer.from(plainText(v), 'base64'));
    default:
      return v;
  }
}

async function send(
  config: ClientConfig,
  service: string,
  method: string,
  path: string,
  query: Record<string, string | string[]>,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; headers: Headers; text: string; bytes: Uint8Array }> {
  // The endpoint as given: the model's hostPrefix (GetRevocationStatus's `data-`) is not applied,
  // since fwsign serves every operation on one endpoint, which `data-127.0.0.1` would not reach.
  const url = new URL(config.endpoint);
  // S3 signs the path as sent (encoded once) and always carries the payload hash; the other services double-encode and need no hash header.
  const s3 = service === 's3';
  const signer = new SignatureV4({
    credentials: config.credentials,
    region: config.region,
    service,
    sha256: NodeSha256,
    uriEscapePath: !s3,
    applyChecksum: s3,
  });
  const basePath = url.pathname.replace(/\/$/, '');
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: `${basePath}${path}`,
    query,
    headers: { ...headers, host: url.host },
    ...(body !== undefined ? { body } : {}),
  });
  const qs = Object.entries(query)
    .flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`),
    )
    .join('&');
  const target = `${url.origin}${basePath}${path}${qs ? `?${qs}` : ''}`;
  const sent = { ...(signed.headers as Record<string, string>) };
  delete sent.host;
  config.debug?.(
    `${method} ${target}\n${Object.entries(sent)
      .map(
        ([k, v]) =>
          `${k}: ${k === 'authorization' ? v.replace(/Signature=\w+/, 'Signature=…') : v}`,
      )
      .join('\n')}${body ? `\n\n${body}` : ''}`,
  );
  const res = await fetch(target, {
    method,
    headers: sent,
    ...(body !== undefined ? { body } : {}),
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  config.debug?.(
    `HTTP ${res.status} x-amzn-requestid=${res.headers.get('x-amzn-requestid') ?? '-'}\n${s3 && res.status < 300 ? `(${bytes.length} bytes)` : text}`,
  );
  return { status: res.status, headers: res.headers, text, bytes };
}
