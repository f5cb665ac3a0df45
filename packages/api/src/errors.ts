/**
 * An error answered to the client. `code` is the AWS exception name the SDKs turn into a typed
 * exception; `status` the HTTP status AWS uses for it.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const validation = (message: string): ApiError =>
  new ApiError('ValidationException', 400, message);

/** Duck-typed so the API does not depend on the store's class identity (bundles may duplicate it). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') {
    const e = err as { code: string; httpStatus?: unknown; status?: unknown; message?: unknown };
    const code = e.code;
    // Node system errors (ENOENT, ...) also carry a string code; they are our failure, not the caller's.
    if (/^[A-Z][a-z]+[A-Za-z]*$/.test(code)) {
      const status =
        typeof e.httpStatus === 'number'
          ? e.httpStatus
          : typeof e.status === 'number'
            ? e.status
            : 400;
      return new ApiError(code, status, typeof e.message === 'string' ? e.message : code);
    }
  }
  return new ApiError(
    'InternalServiceErrorException',
    500,
    'An internal error occurred; see the server log.',
  );
}

export interface WireError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** rest-json: the SDKs read the code from `x-amzn-ErrorType`, the message from the body. */
export function restJsonError(err: ApiError, requestId: string): WireError {
  return {
    status: err.status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': err.code,
      'x-amzn-requestid': requestId,
    },
    body: JSON.stringify({ message: err.message }),
  };
}

/** awsJson1_1: the code travels as `__type` in the body. */
export function awsJsonError(err: ApiError, requestId: string): WireError {
  return {
    status: err.status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
    body: JSON.stringify({ __type: err.code, message: err.message }),
  };
}

/**
 * The JSON services' names for the errors the shared layers raise, as S3 names them (S3's own
 * codes from the store and the S3 handler pass through).
 */
const S3_CODES: Record<string, (e: ApiError) => ApiError> = {
  InternalServiceErrorException: () =>
    new ApiError('InternalError', 500, 'We encountered an internal error. Please try again.'),
  RequestEntityTooLargeException: (e) => new ApiError('EntityTooLarge', 400, e.message),
  ValidationException: (e) => new ApiError('InvalidArgument', 400, e.message),
  TooManyRequestsException: (e) => new ApiError('SlowDown', 503, e.message),
};

/** S3: an XML <Error> document. */
export function s3Error(error: ApiError, requestId: string, resource = ''): WireError {
  const err = Object.hasOwn(S3_CODES, error.code) ? S3_CODES[error.code]!(error) : error;
  return {
    status: err.status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body:
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
      `<Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message>` +
      `<Resource>${xmlEscape(resource)}</Resource><RequestId>${xmlEscape(requestId)}</RequestId></Error>`,
  };
}

/**
 * Escapes markup; a character XML 1.0 cannot carry at all (C0 controls, lone surrogates,
 * U+FFFE/F) becomes U+FFFD, so no answer is ever a document parsers refuse. Names in listings
 * are checked before they get here (s3.ts), so only echoed input in messages is replaced.
 */
export function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(NOT_XML_CHARS, '\uFFFD');
}

/** A character outside XML 1.0's Char production (C0 controls but TAB/LF/CR, lone surrogates, U+FFFE/F). */
export const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NOT_XML_CHARS = new RegExp(NOT_XML_CHAR.source, 'gu');

/** Where `s` holds a character XML 1.0 cannot carry, as "U+XXXX at offset N"; undefined when it holds none. */
export function notXmlChar(s: string): string | undefined {
  const bad = NOT_XML_CHAR.exec(s);
  return bad
    ? `U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at offset ${bad.index}`
    : undefined;
}

/**
 * decodeURIComponent for a piece of the request line: a malformed escape is the client's mistake,
 * answered as a ValidationException naming where it was, not a URIError that would become a 500.
 */
export function decodePercent(s: string, where: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ApiError(
      'ValidationException',
      400,
      `Malformed percent-encoding in ${where} near '${s.slice(0, 64)}'`,
    );
  }
}
