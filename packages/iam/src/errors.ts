/**
 * Refusals of this package. `code` is what callers branch on; the messages say what was expected
 * and what came. A denial is not an error: `authorize` returns it as a Decision.
 */
export type IamAuthErrorCode =
  /** The request names an operation this package has no mapping for (a server bug, not the client's). */
  | 'UnknownOperation'
  /** A request member the resource ARN is built from is missing or malformed (the client's mistake). */
  | 'InvalidInput'
  /** An ARN in the request is not of a resource type the action acts on (e.g. a job ARN for a certificate). */
  | 'ResourceTypeMismatch'
  /** A policy document is not JSON or not IAM's grammar (MalformedPolicyDocument on the wire). */
  | 'MalformedPolicyDocument';

/** The HTTP status of each: 400 for what the client sent, 500 for a mapping fwsign lacks. */
const HTTP_STATUS: Record<IamAuthErrorCode, number> = {
  UnknownOperation: 500,
  InvalidInput: 400,
  ResourceTypeMismatch: 400,
  MalformedPolicyDocument: 400,
};

export class IamAuthError extends Error {
  readonly code: IamAuthErrorCode;
  /** What the API answers with (its error mapping reads `httpStatus`, as for the store's errors). */
  readonly httpStatus: number;
  constructor(code: IamAuthErrorCode, message: string) {
    super(message);
    this.name = 'IamAuthError';
    this.code = code;
    this.httpStatus = HTTP_STATUS[code];
  }
}

/** A short rendering of a value for an error message. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? value.slice(0, 80) + '…' : value);
  return typeof value;
}

/** The string member `name` of `input`, or InvalidInput. */
export function requireMember(input: Record<string, unknown>, name: string): string {
  const v = input[name];
  if (typeof v !== 'string' || v === '')
    throw new IamAuthError(
      'InvalidInput',
      `${name}: expected a non-empty string, got ${describe(v)}`,
    );
  return v;
}

/** The optional string member `name` of `input`. */
export function optionalMember(input: Record<string, unknown>, name: string): string | undefined {
  const v = input[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string')
    throw new IamAuthError('InvalidInput', `${name}: expected a string, got ${describe(v)}`);
  return v;
}
