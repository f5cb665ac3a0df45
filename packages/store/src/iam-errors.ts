import { StoreError } from './errors.js';

/**
 * IAM's and STS's errors, as their query protocol names them (the `code` of botocore's iam
 * 2010-05-08 and sts 2011-06-15 models) with the model's HTTP status.
 */
export class IamError extends StoreError {}

export const noSuchEntity = (message: string): IamError =>
  new IamError('NoSuchEntity', 404, message);
export const entityAlreadyExists = (message: string): IamError =>
  new IamError('EntityAlreadyExists', 409, message);
export const limitExceeded = (message: string): IamError =>
  new IamError('LimitExceeded', 409, message);
export const malformedPolicy = (message: string): IamError =>
  new IamError('MalformedPolicyDocument', 400, message);
export const deleteConflict = (message: string): IamError =>
  new IamError('DeleteConflict', 409, message);
export const iamValidation = (message: string): IamError =>
  new IamError('ValidationError', 400, message);
export const invalidInput = (message: string): IamError =>
  new IamError('InvalidInput', 400, message);
