export { EngineError, expectBytes, type EngineErrorCode } from './errors.js';
export {
  SIGNING_PLATFORMS,
  getSigningPlatform,
  isSignablePlatform,
  listSigningPlatforms,
  type EncryptionAlgorithm,
  type HashAlgorithm,
  type ImageFormat,
  type SigningPlatform,
} from './platforms.js';
export {
  managedPlatformKind,
  resolveEffectiveConfiguration,
  resolveManagedConfiguration,
  type EffectiveConfiguration,
  type ManagedConfiguration,
  type ManagedPlatformKind,
  type SignatureAlgorithm,
  type SigningConfigurationOverrides,
} from './signing-configuration.js';
export { signerFromPrivateKey, type Signer } from './signer.js';
export { loadPrivateKey } from './keys.js';
export { signPayload, signPayloadToStream, type SignOptions, type SignResult } from './sign.js';
export { signPayloadToFile, type SignToFileOptions } from './sign-to-file.js';
export {
  embeddedSignedObjectSize,
  parseSignedObject,
  type PayloadLocation,
  type SignedObject,
} from './signed-object.js';
export {
  verifySignedObject,
  type RefusalCause,
  type Verdict,
  type VerdictReason,
  type VerifyOptions,
} from './verify.js';
export {
  codeSigningCertificationRequest,
  createDevelopmentCertificate,
  selfSignedCodeSigningCertificate,
  type SignedByOptions,
} from './code-signing-certificates.js';
export {
  claimsSelfSigned,
  isIntactSelfSigned,
  parseCertificate,
  parseCertificateChain,
  pem,
  pemBlocks,
  privateKeyMatchesCertificate,
  publicKeyMatchesCertificate,
  trustAnchorFromCertificate,
  type ParsedCertificate,
  type PublicKeyInfo,
} from './certificates.js';
export {
  MAX_SIGNATURE_BYTES,
  MAX_STREAM_NAME_LENGTH,
  MAX_FILE_TYPE,
  streamNameProblem,
  buildOtaJobDocument,
  parseOtaJobDocument,
  signatureKeyFor,
  type OtaJobDocument,
  type OtaJobFile,
  type OtaJobFileInput,
  type OtaProtocol,
} from './ota-job-document.js';
export {
  certificateHashes,
  issueCertificate,
  newP384Key,
  verifyCertificateChain,
  type CertificateRole,
  type ChainVerdict,
  type Issuer,
} from './managed-certificates.js';
export {
  JWS_MEDIA_TYPE,
  NOTARY_PAYLOAD_TYPE,
  SIGNING_SCHEME,
  rfc3339Seconds,
  signJwsEnvelope,
  verifyJwsEnvelope,
  type EnvelopeVerdict,
  type SignedAttributes,
} from './jws-envelope.js';
export {
  LAMBDA_PACKAGE_TYPE,
  LAMBDA_SIGNATURE_MAGIC,
  inspectZip,
  signLambdaPackage,
  verifyLambdaPackage,
  type ZipLayout,
} from './lambda-package.js';
export {
  describeKeyRef,
  formatPkcs11UriPath,
  parsePkcs11Uri,
  type Pkcs11ObjectType,
  type Pkcs11Uri,
} from './pkcs11-uri.js';
export { TokenError, type TokenErrorCode } from './token-errors.js';
export { TokenKey, type TokenKeyOptions, type TokenKeyType } from './token-key.js';
export {
  keyObjectEs384Signer,
  p1363ToDer384,
  tokenEs384Signer,
  type Es384Signer,
  type TokenEs384Signer,
} from './es384-signer.js';
export { rawEcdsaToDer, tokenSigner, type TokenSigner } from './token-signer.js';
export {
  generateTokenKeyPair,
  generateTokenKeyPairSync,
  type GeneratedTokenKey,
  type TokenKeyAlgorithm,
} from './token-keygen.js';
