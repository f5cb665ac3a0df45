/**
 * Refusals of the audit log's formats and keys. `code` is what callers branch on; the messages say
 * what was expected and what came. A proof or a checkpoint that does not verify is not an error:
 * the verify functions return a verdict for that.
 */
export type AuditErrorCode =
  | 'MalformedEntry'
  | 'MalformedNote'
  | 'MalformedCheckpoint'
  | 'MalformedKey'
  | 'MalformedProof'
  | 'OutOfRange';

export class AuditError extends Error {
  readonly code: AuditErrorCode;
  constructor(code: AuditErrorCode, message: string) {
    super(message);
    this.name = 'AuditError';
    this.code = code;
  }
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? value.slice(0, 60) + '…' : value);
  return typeof value;
}

/** Throws a RangeError unless `n` is a non-negative safe integer. */
export function checkSize(fn: string, name: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`${fn}: "${name}" expected a non-negative integer, got ${describe(n)}`);
  return n;
}
