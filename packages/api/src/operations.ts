/**
 * The seam between the API and the store, typed: every Signer operation the API dispatches, with
 * `@aws-sdk/client-signer`'s own input and output shapes, keyed by the operation names of the
 * model the API decodes with (botocore's signer service-2.json under model/aws-data). A renamed,
 * missing or mistyped operation is a compile error, both here (against the model) and where the
 * server takes a store (against the store contract's methods, store-contract.ts).
 */
import type * as sdk from '@aws-sdk/client-signer';
import type signerJson from '../model/aws-data/signer/2017-08-25/service-2.json';
import type acmSubset from '../model/acm-2015-12-08.subset.json';
import type { Identity } from './credentials.js';

/** Request and response shapes of each Signer operation, by the model's operation name. */
interface SignerShapes {
  AddProfilePermission: [sdk.AddProfilePermissionRequest, sdk.AddProfilePermissionResponse];
  CancelSigningProfile: [sdk.CancelSigningProfileRequest, void];
  DescribeSigningJob: [sdk.DescribeSigningJobRequest, sdk.DescribeSigningJobResponse];
  GetRevocationStatus: [sdk.GetRevocationStatusRequest, sdk.GetRevocationStatusResponse];
  GetSigningPlatform: [sdk.GetSigningPlatformRequest, sdk.GetSigningPlatformResponse];
  GetSigningProfile: [sdk.GetSigningProfileRequest, sdk.GetSigningProfileResponse];
  ListProfilePermissions: [sdk.ListProfilePermissionsRequest, sdk.ListProfilePermissionsResponse];
  ListSigningJobs: [sdk.ListSigningJobsRequest, sdk.ListSigningJobsResponse];
  ListSigningPlatforms: [sdk.ListSigningPlatformsRequest, sdk.ListSigningPlatformsResponse];
  ListSigningProfiles: [sdk.ListSigningProfilesRequest, sdk.ListSigningProfilesResponse];
  ListTagsForResource: [sdk.ListTagsForResourceRequest, sdk.ListTagsForResourceResponse];
  PutSigningProfile: [sdk.PutSigningProfileRequest, sdk.PutSigningProfileResponse];
  RemoveProfilePermission: [
    sdk.RemoveProfilePermissionRequest,
    sdk.RemoveProfilePermissionResponse,
  ];
  RevokeSignature: [sdk.RevokeSignatureRequest, void];
  RevokeSigningProfile: [sdk.RevokeSigningProfileRequest, void];
  SignPayload: [sdk.SignPayloadRequest, sdk.SignPayloadResponse];
  StartSigningJob: [sdk.StartSigningJobRequest, sdk.StartSigningJobResponse];
  TagResource: [sdk.TagResourceRequest, sdk.TagResourceResponse];
  UntagResource: [sdk.UntagResourceRequest, sdk.UntagResourceResponse];
}

/**
 * ACM's four, from acm-2015-12-08.subset.json (there is no ACM SDK in the workspace): the input's
 * top-level members camelCased as handleAcm passes them, nested values in ACM's own spelling.
 */
interface AcmShapes {
  ImportCertificate: [
    {
      certificate: Uint8Array;
      /** Absent when pkcs11Uri names a key in a token (fwsign's extension, model/load.ts). */
      privateKey?: Uint8Array;
      pkcs11Uri?: string;
      certificateChain?: Uint8Array;
      certificateArn?: string;
      tags?: Array<{ Key: string; Value?: string }>;
    },
    { certificateArn?: string },
  ];
  DescribeCertificate: [{ certificateArn: string }, { certificate?: object }];
  ListCertificates: [
    {
      certificateStatuses?: string[];
      includes?: object;
      nextToken?: string;
      maxItems?: number;
      sortBy?: string;
      sortOrder?: string;
    },
    { certificateSummaryList?: object[]; nextToken?: string },
  ];
  DeleteCertificate: [{ certificateArn: string }, void];
}

const acmMatchesShapes: Exactly<keyof (typeof acmSubset)['operations'], keyof AcmShapes> = true;
void acmMatchesShapes;

/** The store's signing-material methods, named as ACM's operations (camelCase). */
export type AcmOperations = {
  [K in keyof AcmShapes as Uncapitalize<K>]: (
    id: Identity,
    input: AcmShapes[K][0],
  ) => AcmShapes[K][1] | Promise<AcmShapes[K][1]>;
};

/** The operations of the model the API decodes requests with. */
type ModelOperation = keyof (typeof signerJson)['operations'];

// Both directions: the model has no operation without shapes here, and no shapes name an
// operation the model lacks. Either mistake makes one of these `never`, which fails to compile.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const modelMatchesShapes: Exactly<ModelOperation, keyof SignerShapes> = true;
void modelMatchesShapes;

/**
 * What the decoder hands an operation: the SDK's input with every member the model marks required
 * present (the SDK types them `T | undefined` so a client may omit them; the server has refused
 * the request by then). Timestamps arrive as Dates and blobs as bytes, as in the SDK.
 */
type Decoded<T> = T extends Date | Uint8Array | string | number | boolean
  ? T
  : T extends readonly (infer E)[]
    ? Decoded<E>[]
    : T extends object
      ? { [K in keyof T]: Decoded<Exclude<T[K], undefined>> }
      : T;

/**
 * What an operation may answer: the SDK's output with its enums widened to string. The encoder
 * writes what it is given, and an AWS client takes a value its enum does not list yet; the store
 * keeps the model's values (statuses, algorithms) as plain strings.
 */
type Served<T> = T extends Date | Uint8Array
  ? T
  : T extends string
    ? string
    : T extends readonly (infer E)[]
      ? Served<E>[]
      : T extends object
        ? { [K in keyof T]: Served<T[K]> }
        : T;

/** An operation as the store serves it: the caller's identity and the decoded input. */
type Operation<I, O> = (id: Identity, input: Decoded<I>) => Answer<O> | Promise<Answer<O>>;

/** An empty output shape (TagResource's) is answered with nothing. */
type Answer<O> = [keyof O] extends [never] ? void : Served<O>;

/** Every Signer operation, named as the store's methods are (camelCase). */
export type SignerOperations = {
  [K in keyof SignerShapes as Uncapitalize<K>]: Operation<SignerShapes[K][0], SignerShapes[K][1]>;
};

export type SignerOperationName = keyof SignerOperations;

/** The two the API serves from the engine's platform catalog; the store serves the rest. */
export type PlatformOperations = Pick<
  SignerOperations,
  'getSigningPlatform' | 'listSigningPlatforms'
>;
export type StoreSignerOperations = Omit<SignerOperations, keyof PlatformOperations>;
