/**
 * One error class per AWS exception the store can raise. `code` is the exception
 * name the API layer puts on the wire; `httpStatus` comes from the botocore model
 * (signer 2017-08-25, and ACM for the certificate operations).
 */
export class StoreError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  constructor(code: string, httpStatus: number, message: string) {
    super(message);
    this.name = code;
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

export class ValidationException extends StoreError {
  constructor(message: string) {
    super('ValidationException', 400, message);
  }
}
export class ResourceNotFoundException extends StoreError {
  constructor(message: string) {
    super('ResourceNotFoundException', 404, message);
  }
}
export class AccessDeniedException extends StoreError {
  constructor(message: string) {
    super('AccessDeniedException', 403, message);
  }
}
export class ConflictException extends StoreError {
  constructor(message: string) {
    super('ConflictException', 409, message);
  }
}
export class ServiceLimitExceededException extends StoreError {
  constructor(message: string) {
    super('ServiceLimitExceededException', 402, message);
  }
}
export class BadRequestException extends StoreError {
  constructor(message: string) {
    super('BadRequestException', 400, message);
  }
}
export class NotFoundException extends StoreError {
  constructor(message: string) {
    super('NotFoundException', 404, message);
  }
}
export class TooManyRequestsException extends StoreError {
  constructor(message: string) {
    super('TooManyRequestsException', 429, message);
  }
}
export class InternalServiceErrorException extends StoreError {
  constructor(message: string) {
    super('InternalServiceErrorException', 500, message);
  }
}
/** ACM: the certificate is still used by an Active signing profile. */
export class ResourceInUseException extends StoreError {
  constructor(message: string) {
    super('ResourceInUseException', 400, message);
  }
}
/** ACM: a parameter (ARN, PEM) is malformed. */
export class InvalidParameterException extends StoreError {
  constructor(message: string) {
    super('InvalidParameterException', 400, message);
  }
}
/** S3-style errors of the local buckets (NoSuchBucket, NoSuchKey, NoSuchVersion, BucketAlreadyOwnedByYou, InvalidBucketName). */
export class BucketError extends StoreError {}

export function noSuchBucket(bucket: string): BucketError {
  return new BucketError('NoSuchBucket', 404, `bucket "${bucket}" does not exist`);
}
