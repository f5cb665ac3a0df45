/**
 * The error the engine throws for refused requests (bad input, an unsupported platform, a key or
 * object that does not parse). `code` is what callers branch on; the API layer maps it to an AWS
 * exception name (ValidationException etc.). Misuse — an argument of the wrong type — is a
 * TypeError instead (expectBytes below): it is a bug in the caller, not an answer to give a client.
 */
export type EngineErrorCode =
  | 'ValidationException'
  | 'UnsupportedPlatform'
  | 'PayloadTooLarge'
  | 'MalformedSignedObject'
  | 'MalformedJobDocument'
  | 'MalformedPackage'
  | 'InvalidKey'
  | 'InvalidCertificate';

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }
}

/** Throws a TypeError naming the argument and what came, for calls that break the API's types. */
export function expectBytes(fn: string, name: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${fn}: "${name}" expected Uint8Array, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  return typeof value;
}
