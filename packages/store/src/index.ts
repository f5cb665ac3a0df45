export { SignerStore, type OpenOptions } from './store.js';
export type { Identity } from './validate.js';
export {
  StoreError,
  ValidationException,
  ResourceNotFoundException,
  AccessDeniedException,
  ConflictException,
  ServiceLimitExceededException,
  BadRequestException,
  NotFoundException,
  TooManyRequestsException,
  InternalServiceErrorException,
  ResourceInUseException,
  InvalidParameterException,
  BucketError,
} from './errors.js';
export { MasterKeyError, MASTER_KEY_FILE } from './master-key.js';
export { PgError } from './pg-sync.js';
export {
  PROFILE_ACTIONS,
  MAX_POLICY_BYTES,
  type ProfileAction,
  type ProfileRef,
  type Permission,
} from './permissions.js';
export { MAX_TAGS_PER_PROFILE, type TagMap } from './tags.js';
export { SIGNING_SUCCEEDED } from './jobs.js';
export type {
  StartSigningJobRequest,
  StartSigningJobResponse,
  SignPayloadRequest,
  SignPayloadResponse,
} from './job-requests.js';
export type {
  DescribeSigningJobResponse,
  ListSigningJobsRequest,
  SigningJob,
  SigningJobRevocationRecord,
} from './job-queries.js';
export type {
  GetSigningProfileResponse,
  PutSigningProfileRequest,
  PutSigningProfileResponse,
  SigningProfile,
} from './profiles.js';
export type {
  ProfileStatus,
  SigningPlatformOverrides,
  SigningProfileRevocationRecord,
} from './profile-row.js';
export type { SigningStatus } from './job-row.js';
export type {
  CertificateDetail,
  CertificateSummary,
  ImportCertificateRequest,
  KeyAlgorithm,
} from './certificates.js';
export type {
  GetObjectResult,
  ObjectVersionSummary,
  VersioningStatus,
  Buckets,
} from './buckets.js';
export type { SignatureValidityPeriod, ValidityType } from './validity.js';
export { UPLOAD_WRITE_BYTES } from './segment-upload.js';
export type {
  StoreContract,
  StoreOperationName,
  BucketsContract,
  AuditContract,
} from './store-contract.js';
export { openStore, storeContract } from './store-engine.js';
export { isPostgresUrl } from './db.js';
export { redactUrl } from './sql-driver.js';
export { copyStoreToPostgres, StoreCopyError, type CopyReport } from './store-copy.js';
export { IAM_STORE_OPERATIONS, type IamStore } from './iam-store.js';
export { IamError } from './iam-errors.js';
export type { IamPrincipal, ResolvedKey } from './iam-principals.js';
export type { IamTag, PolicyUse } from './iam-validate.js';
export { checkPolicyDocument } from './iam-validate.js';
