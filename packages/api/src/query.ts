import {
  ApiError,
  awsJsonError,
  decodePercent,
  restJsonError,
  s3Error,
  xmlEscape,
  type WireError,
} from './errors.js';
import { iamModel, stsModel } from './model/load.js';
import type { Protocol } from './request.js';
import { Decoder } from './model/decode.js';
import { plainText } from './model/encode.js';
import { shapeOf } from './model/load.js';
import type { Operation, ServiceModel, ShapeRef } from './model/types.js';

/**
 * AWS's query protocol (IAM, STS): form-encoded `Action=…&Version=…` requests whose members are
 * flattened by the model (`Tags.member.1.Key`), answered with XML in the service's namespace.
 * Driven by botocore's models, as the JSON protocols are.
 */

/** The form parameters of a query request: the body's (POST) over the URL's (GET). '+' is a space in a form. */
export function queryParams(
  body: Uint8Array,
  query: Record<string, string | string[]>,
): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(query)) out[k] = Array.isArray(v) ? v[v.length - 1]! : v;
  const text = Buffer.from(body).toString('utf8');
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodePercent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '), 'form body');
    out[key] = decodePercent((eq < 0 ? '' : part.slice(eq + 1)).replace(/\+/g, ' '), 'form body');
  }
  return out;
}

/** Decodes and validates an operation's input from form parameters, by its model shape. */
export function decodeQueryInput(
  model: ServiceModel,
  op: Operation,
  params: Record<string, string>,
): Record<string, unknown> {
  if (!op.input) return {};
  const dec = new Decoder(model, true);
  const out = (member(model, dec, op.input, '', params) ?? {}) as Record<string, unknown>;
  dec.required(shapeOf(model, op.input.shape), out, '');
  dec.check();
  return out;
}

function member(
  model: ServiceModel,
  dec: Decoder,
  ref: ShapeRef,
  key: string,
  params: Record<string, string>,
): unknown {
  const shape = shapeOf(model, ref.shape);
  const at = (name: string) => (key ? `${key}.${name}` : name);
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      let any = false;
      for (const [name, m] of Object.entries(shape.members ?? {})) {
        const v = member(model, dec, m, at(m.locationName ?? name), params);
        if (v !== undefined) {
          out[name] = v;
          any = true;
        }
      }
      if (!any && key !== '') return undefined;
      if (key !== '') dec.required(shape, out, key);
      return out;
    }
    case 'list': {
      // An empty list travels as the bare key: `Tags=`.
      if (params[key] === '') return [];
      const items: unknown[] = [];
      const name = shape.member!.locationName ?? 'member';
      for (let i = 1; ; i++) {
        const v = member(model, dec, shape.member!, `${key}.${name}.${i}`, params);
        if (v === undefined) break;
        items.push(v);
      }
      return items.length > 0 ? items : undefined;
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      for (let i = 1; params[`${key}.entry.${i}.key`] !== undefined; i++) {
        const k = params[`${key}.entry.${i}.key`]!;
        out[k] = member(model, dec, shape.value!, `${key}.entry.${i}.value`, params);
      }
      return Object.keys(out).length > 0 ? out : undefined;
    }
    default: {
      const raw = params[key];
      return raw === undefined ? undefined : dec.text(ref, raw, key);
    }
  }
}

/** `<OpResponse xmlns=…><OpResult>…</OpResult><ResponseMetadata><RequestId/></ResponseMetadata></OpResponse>`. */
export function encodeQueryOutput(
  model: ServiceModel,
  op: Operation,
  value: unknown,
  requestId: string,
): string {
  const ns = model.metadata.xmlNamespace!;
  const wrapper = op.output?.resultWrapper;
  const result = wrapper ? `<${wrapper}>${children(model, op.output!, value)}</${wrapper}>` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${op.name}Response xmlns="${ns}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${op.name}Response>`;
}

/** The XML inside an element of shape `ref`: only members the model names leave the server. */
function children(model: ServiceModel, ref: ShapeRef, value: unknown): string {
  if (value === undefined || value === null) return '';
  const shape = shapeOf(model, ref.shape);
  switch (shape.type) {
    case 'structure': {
      let out = '';
      const src = value as Record<string, unknown>;
      for (const [name, m] of Object.entries(shape.members ?? {})) {
        const v = src[name];
        if (v === undefined || v === null) continue;
        const tag = m.locationName ?? name;
        out += `<${tag}>${children(model, m, v)}</${tag}>`;
      }
      return out;
    }
    case 'list': {
      const tag = shape.member!.locationName ?? 'member';
      return (value as unknown[])
        .map((v) => `<${tag}>${children(model, shape.member!, v)}</${tag}>`)
        .join('');
    }
    case 'map':
      return Object.entries(value as Record<string, unknown>)
        .map(
          ([k, v]) =>
            `<entry><key>${xmlEscape(k)}</key><value>${children(model, shape.value!, v)}</value></entry>`,
        )
        .join('');
    case 'timestamp':
      return (value instanceof Date ? value : new Date(plainText(value)))
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
    default:
      return xmlEscape(plainText(value));
  }
}

/**
 * The shared layers' error names (JSON services' spelling) as the query services spell them;
 * the store's IAM errors (NoSuchEntity, …) pass through.
 */
const QUERY_CODES: Record<string, (e: ApiError) => ApiError> = {
  ValidationException: (e) => new ApiError('ValidationError', 400, e.message),
  AccessDeniedException: (e) => new ApiError('AccessDenied', 403, e.message),
  TooManyRequestsException: (e) => new ApiError('Throttling', 400, e.message),
  InternalServiceErrorException: (e) => new ApiError('ServiceFailure', 500, e.message),
  UnrecognizedClientException: (e) => new ApiError('InvalidClientTokenId', 403, e.message),
  InvalidSignatureException: (e) => new ApiError('SignatureDoesNotMatch', 403, e.message),
  MissingAuthenticationTokenException: (e) =>
    new ApiError('MissingAuthenticationToken', 403, e.message),
  ExpiredTokenException: (e) => new ApiError('ExpiredToken', 403, e.message),
};

/** `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`, as IAM and STS answer. */
function queryError(error: ApiError, requestId: string, ns: string): WireError {
  const err = Object.hasOwn(QUERY_CODES, error.code) ? QUERY_CODES[error.code]!(error) : error;
  return {
    status: err.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${ns}"><Error><Type>${err.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
      `<Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message></Error>` +
      `<RequestId>${xmlEscape(requestId)}</RequestId></ErrorResponse>`,
  };
}

/** An error in the shape of the request's protocol. */
export function wireError(
  protocol: Protocol,
  e: ApiError,
  requestId: string,
  resource = '',
): WireError {
  switch (protocol) {
    case 's3':
      return s3Error(e, requestId, resource);
    case 'acm':
      return awsJsonError(e, requestId);
    case 'iam':
    case 'sts':
      return queryError(
        e,
        requestId,
        (protocol === 'iam' ? iamModel : stsModel).metadata.xmlNamespace!,
      );
    default:
      return restJsonError(e, requestId);
  }
}
