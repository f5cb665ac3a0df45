/**
 * Errors of keys held in a PKCS#11 token. `code` is what callers branch on: the store refuses an
 * import with it, a signing job fails with its message as statusReason. `ckr` names the token's
 * own answer (CKR_…) when there was one. Messages name the token and object, never a PIN.
 */
export type TokenErrorCode =
  /** The PKCS#11 URI does not parse, or names what fwsign cannot use. */
  | 'InvalidUri'
  /** Neither FWSIGN_PKCS11_MODULE nor the URI's module-path names a module. */
  | 'ModuleNotConfigured'
  /** The module's file is missing or does not load as a PKCS#11 library. */
  | 'ModuleLoadFailed'
  /** No slot holds a token matching the URI (absent, removed, or another label). */
  | 'TokenNotFound'
  /** The token holds no (single) key matching the URI. */
  | 'KeyNotFound'
  /** The token needs a PIN and none is configured. */
  | 'PinMissing'
  /** The token refused the PIN (CKR_PIN_INCORRECT, CKR_PIN_LOCKED …). fwsign does not retry it. */
  | 'PinIncorrect'
  /** The key is not one fwsign signs with (P-256 EC or RSA of at least 2048 bits). */
  | 'UnsupportedKey'
  /** The token answered an operation with an error. */
  | 'TokenFailure';

export class TokenError extends Error {
  readonly code: TokenErrorCode;
  readonly ckr: string | undefined;
  constructor(code: TokenErrorCode, message: string, ckr?: string) {
    super(message);
    this.name = 'TokenError';
    this.code = code;
    this.ckr = ckr;
  }
}
