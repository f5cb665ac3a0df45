/** A finished job's row as the commit worker takes it (group-commit.test.ts, object-bytes.test.ts). */
import type { NewJob } from '../src/job-row.js';
import { ALICE } from './helpers.js';

/** Alice's Succeeded job `jobId`, with client token `token`, its signed object going to `destBucket`. */
export function job(jobId: string, token: string, destBucket = 'dst'): NewJob {
  return {
    job_id: jobId,
    owner: ALICE.accountId,
    invoker: ALICE.accountId,
    requested_by: ALICE.principalArn,
    client_token: token,
    profile_name: 'p',
    profile_version: 'v000000001',
    platform_id: 'AmazonFreeRTOS-Default',
    platform_display_name: 'Amazon FreeRTOS',
    certificate_arn: null,
    overrides: null,
    signing_parameters: null,
    source_bucket: 'src',
    source_key: 'k',
    source_version: 'v',
    dest_bucket: destBucket,
    dest_prefix: 'o/',
    signed_key: `o/${jobId}`,
    signed_version: null,
    status: 'Succeeded',
    status_reason: 'Signing Succeeded',
    created_at: 1,
    completed_at: 2,
    signature_expires_at: 3,
  };
}
