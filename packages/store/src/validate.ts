import { ValidationException } from './errors.js';

/** An authenticated caller; the API layer derives it from the request signature. */
export interface Identity {
  accountId: string;
  principalArn: string;
}

// Patterns and limits from botocore's signer/2017-08-25 model.
export const ACCOUNT_ID = /^[0-9]{12}$/;
const PROFILE_NAME = /^[a-zA-Z0-9_]{2,64}$/;
export const PROFILE_VERSION = /^[a-zA-Z0-9]{10}$/;
export const TAG_KEY = /^(?!aws:)[a-zA-Z+-=._:/]+$/;

export function checkIdentity(id: Identity): void {
  if (id === null || typeof id !== 'object')
    throw new TypeError(`identity: expected { accountId, principalArn }, got ${String(id)}`);
  if (typeof id.accountId !== 'string' || !ACCOUNT_ID.test(id.accountId)) {
    throw new TypeError(
      `identity: "accountId" expected 12 digits, got ${JSON.stringify(id.accountId)}`,
    );
  }
  if (typeof id.principalArn !== 'string' || !id.principalArn.startsWith('arn:')) {
    throw new TypeError(
      `identity: "principalArn" expected an ARN, got ${JSON.stringify(id.principalArn)}`,
    );
  }
}

export function requireString(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationException(`${field}: expected a non-empty string, got ${describe(value)}`);
  }
  return value;
}

export function checkPattern(field: string, value: unknown, re: RegExp, what: string): string {
  const s = requireString(field, value);
  if (!re.test(s))
    throw new ValidationException(`${field}: expected ${what}, got ${JSON.stringify(s)}`);
  return s;
}

export function checkProfileName(value: unknown, field = 'profileName'): string {
  return checkPattern(field, value, PROFILE_NAME, '2-64 characters of [a-zA-Z0-9_]');
}

export function checkAccountId(field: string, value: unknown): string {
  return checkPattern(field, value, ACCOUNT_ID, '12 digits');
}

export function checkLength(field: string, value: unknown, min: number, max: number): string {
  if (typeof value !== 'string')
    throw new ValidationException(`${field}: expected a string, got ${describe(value)}`);
  if (value.length < min || value.length > max) {
    throw new ValidationException(
      `${field}: expected ${min}-${max} characters, got ${value.length}`,
    );
  }
  return value;
}

export function checkDate(field: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new ValidationException(`${field}: expected a timestamp, got ${describe(value)}`);
  }
  return value;
}

export function checkMaxResults(value: unknown, max = 25): number {
  if (value === undefined || value === null) return max;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationException(
      `maxResults: expected an integer from 1 to ${max}, got ${describe(value)}`,
    );
  }
  return value;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (value instanceof Date) return value.toISOString();
  try {
    const s = JSON.stringify(value);
    return s === undefined ? typeof value : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return typeof value;
  }
}
