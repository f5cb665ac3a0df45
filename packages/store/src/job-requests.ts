/** The request and response shapes of the two signing operations, shared by both pipelines
 * (jobs.ts for keys of our own, managed-jobs.ts for Signer-managed platforms). */

/** As Signer's model has it: `s3` and the token are optional there, and checked here. */
export interface StartSigningJobRequest {
  source: { s3?: { bucketName: string; key: string; version: string } };
  destination: { s3?: { bucketName?: string; prefix?: string } };
  profileName: string;
  clientRequestToken?: string;
  profileOwner?: string;
}
export interface StartSigningJobResponse {
  jobId: string;
  jobOwner: string;
}

export interface SignPayloadRequest {
  profileName: string;
  profileOwner?: string;
  payload: Uint8Array;
  payloadFormat: string;
}
export interface SignPayloadResponse {
  jobId: string;
  jobOwner: string;
  metadata: Record<string, string>;
  signature: Uint8Array;
}
