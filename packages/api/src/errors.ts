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

/** S3: an XML <Error> document. */
export function s3Error(err: ApiError, requestId: string, resource = ''): WireError {
  return {
    status: err.status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body:
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
      `<Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message>` +
      `<Resource>${xmlEscape(resource)}</Resource><RequestId>${xmlEscape(requestId)}</RequestId></Error>`,
  };
}

export function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
