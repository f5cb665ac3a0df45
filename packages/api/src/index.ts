export { SignerServer } from './server.js';
export { DEFAULT_RATE_LIMIT, type ApiStore, type SignerServerOptions } from './server-options.js';
export { parseQuery } from './request.js';
export { ApiError } from './errors.js';
export {
  loadCredentials,
  parseCredentials,
  CREDENTIALS_FILE,
  DEV_CREDENTIAL,
  CredentialsError,
  type Credential,
  type Identity,
} from './credentials.js';
export {
  verifyRequest,
  parseAuthorization,
  NodeSha256,
  AuthFailure,
  type AuthFailureKind,
  type ReceivedRequest,
  type Verified,
} from './sigv4.js';
export { decodeAwsChunked, type AwsChunkedBody } from './aws-chunked.js';
export { RateLimiter } from './rate-limit.js';
export { AccessLog } from './access-log.js';
export { signerModel, acmModel } from './model/load.js';
export type { ServiceModel, Operation, Shape, ShapeRef } from './model/types.js';
export {
  callSigner,
  callAcm,
  getOtaJobDocument,
  getS3Object,
  ServiceError,
  type ClientConfig,
} from './client.js';
export { ConsoleStatic, CONSOLE_CSP, CONSOLE_PATH } from './console-static.js';
