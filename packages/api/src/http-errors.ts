import { STATUS_CODES } from 'node:http';
import { ApiError, restJsonError, s3Error, type WireError } from './errors.js';

/**
 * The answer to a request Node's HTTP parser refused before any handler saw it: AWS-shaped, with
 * a request id, in S3's XML when the bytes that did arrive were signed for S3 and in JSON (both
 * the `x-amzn-ErrorType` header rest-json reads and the `__type` awsJson reads) otherwise.
 * Undefined when the connection is gone and nothing can be answered.
 */
export function malformedHttpAnswer(
  err: NodeJS.ErrnoException & { rawPacket?: Buffer },
  requestId: string,
): { status: number; requestId: string; text: string } | undefined {
  // The client went away (mid-body EOF included): the request's own handler logs that as a 499.
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || err.code === 'HPE_INVALID_EOF_STATE')
    return undefined;
  const s3 = err.rawPacket?.toString('latin1').includes('/s3/aws4_request') ?? false;
  const e = parserError(err, s3);
  const wire: WireError = s3 ? s3Error(e, requestId) : restJsonError(e, requestId);
  const body = s3 ? wire.body : JSON.stringify({ __type: e.code, message: e.message });
  const headers = {
    ...wire.headers,
    'x-amzn-requestid': requestId,
    'x-amz-request-id': requestId,
    connection: 'close',
    'content-length': String(Buffer.byteLength(body)),
  };
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  return {
    status: e.status,
    requestId,
    text: `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? 'Error'}\r\n${head}\r\n\r\n${body}`,
  };
}

function parserError(err: NodeJS.ErrnoException, s3: boolean): ApiError {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError(
        s3 ? 'RequestHeaderSectionTooLarge' : 'RequestHeaderFieldsTooLarge',
        431,
        'Your request header section exceeds the maximum allowed size of 16384 bytes.',
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_HEADER_TIMEOUT':
      return new ApiError(
        'RequestTimeout',
        408,
        'Your socket connection to the server was not read from or written to within the timeout period.',
      );
    default:
      return new ApiError(
        s3 ? 'InvalidRequest' : 'BadRequestException',
        400,
        `The request is not valid HTTP/1.1 (${err.code ?? 'parse error'}: ${err.message.slice(0, 200)})`,
      );
  }
}
