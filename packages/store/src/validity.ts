import { ValidationException } from './errors.js';
import { describe } from './validate.js';

export type ValidityType = 'DAYS' | 'MONTHS' | 'YEARS';
export interface SignatureValidityPeriod {
  value?: number;
  type?: ValidityType;
}

/** The Signer developer guide: 135 months is both the default and the maximum validity. */
const DEFAULT_VALIDITY = { value: 135, type: 'MONTHS' } as const;

export function addPeriod(from: Date, value: number, type: ValidityType): Date {
  const d = new Date(from.getTime());
  if (type === 'DAYS') d.setUTCDate(d.getUTCDate() + value);
  else if (type === 'MONTHS') d.setUTCMonth(d.getUTCMonth() + value);
  else d.setUTCFullYear(d.getUTCFullYear() + value);
  return d;
}

/**
 * Resolves the profile's validity period. The limit is checked on calendar dates
 * (period from now must not end after 135 months from now), which makes
 * 11 YEARS valid, 12 YEARS invalid and DAYS bounded by the actual month lengths.
 */
export function checkValidityPeriod(
  input: unknown,
  now: Date,
): { value: number; type: ValidityType } {
  if (input === undefined || input === null) return { ...DEFAULT_VALIDITY };
  if (typeof input !== 'object')
    throw new ValidationException(
      `signatureValidityPeriod: expected { value, type }, got ${describe(input)}`,
    );
  const p = input as { value?: unknown; type?: unknown };
  const type = p.type ?? 'MONTHS';
  if (type !== 'DAYS' && type !== 'MONTHS' && type !== 'YEARS') {
    throw new ValidationException(
      `signatureValidityPeriod.type: expected one of [DAYS, MONTHS, YEARS], got ${describe(p.type)}`,
    );
  }
  const value = p.value ?? (type === 'MONTHS' ? 135 : undefined);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ValidationException(
      `signatureValidityPeriod.value: expected a positive integer, got ${describe(p.value)}`,
    );
  }
  if (addPeriod(now, value, type).getTime() > addPeriod(now, 135, 'MONTHS').getTime()) {
    throw new ValidationException(
      `signatureValidityPeriod: expected at most 135 MONTHS, got ${value} ${type}`,
    );
  }
  return { value, type };
}
