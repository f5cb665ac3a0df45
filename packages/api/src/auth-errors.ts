import { ApiError } from './errors.js';
import type { AuthFailure } from './sigv4.js';

/** The same authentication failure, as the JSON services and as S3 name it (all 403 unless noted). */
export function authError(f: AuthFailure, protocol: 'json' | 's3'): ApiError {
  if (protocol === 's3') {
    switch (f.kind) {
      case 'missing':
        return new ApiError(
          'AccessDenied',
          403,
          'Access Denied: the request carries no AWS Signature Version 4 Authorization header',
        );
      case 'unknown-key':
        return new ApiError(
          'InvalidAccessKeyId',
          403,
          'The AWS Access Key Id you provided does not exist in our records.',
        );
      case 'bad-signature':
        return new ApiError(
          'SignatureDoesNotMatch',
          403,
          'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
        );
      case 'skewed':
        return new ApiError(
          'RequestTimeTooSkewed',
          403,
          `The difference between the request time and the current time is too large. ${f.message}`,
        );
      case 'wrong-region':
        return new ApiError(
          'AuthorizationHeaderMalformed',
          400,
          `The authorization header is malformed; ${f.message}`,
        );
      case 'expired':
        return new ApiError('ExpiredToken', 400, 'The provided token has expired.');
      case 'malformed':
        return new ApiError(
          'AuthorizationHeaderMalformed',
          400,
          `The authorization header is malformed; ${f.message}`,
        );
    }
  }
  switch (f.kind) {
    case 'missing':
      return new ApiError(
        'MissingAuthenticationTokenException',
        403,
        'Missing Authentication Token',
      );
    case 'unknown-key':
      return new ApiError('UnrecognizedClientException', 403, f.message);
    case 'bad-signature':
      return new ApiError('InvalidSignatureException', 403, f.message);
    case 'skewed':
      return new ApiError('InvalidSignatureException', 403, f.message);
    case 'wrong-region':
      return new ApiError('InvalidSignatureException', 403, f.message);
    case 'malformed':
      return new ApiError('IncompleteSignatureException', 403, f.message);
    case 'expired':
      return new ApiError('ExpiredTokenException', 403, f.message);
  }
}
