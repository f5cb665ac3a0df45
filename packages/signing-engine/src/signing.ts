/**
 * The signing path alone, without certificate parsing (pkijs): for callers that start often and
 * only sign, such as the CLI's `sign`, whose bundle chunk then leaves the certificate code out.
 * The same functions are exported from the package's index.
 */
export { signPayload, signPayloadToStream, type SignOptions, type SignResult } from './sign.js';
export { signPayloadToFile, type SignToFileOptions } from './sign-to-file.js';
export {
  resolveEffectiveConfiguration,
  type SigningConfigurationOverrides,
} from './signing-configuration.js';
export { signerFromPrivateKey, type Signer } from './signer.js';
export { tokenSigner, type TokenSigner } from './token-signer.js';
