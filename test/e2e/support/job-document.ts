/**
 * The OTA job document for a signing job, built by `fwsign ota-job-document --job-id`: the CLI
 * refuses a job whose signature or profile version the service revoked (the device cannot know),
 * and these tests go through that same command rather than a check of their own.
 */
import { runCli } from '@fwsign/cli';
import { parseOtaJobDocument, type OtaJobDocument } from '@fwsign/signing-engine';
import type { FwsignService, SigningJobOutcome } from './service.js';

export type RefusalCode =
  'RevokedSignature' | 'RevokedProfile' | 'JobNotSucceeded' | 'NoSignedObject';

export class JobDocumentRefused extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'JobDocumentRefused';
  }
}

export interface JobDocumentResult {
  json: string;
  parsed: OtaJobDocument;
}

export async function jobDocumentForJob(
  svc: FwsignService,
  job: SigningJobOutcome,
  opts: { filepath: string; certfile: string },
): Promise<JobDocumentResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    [
      'ota-job-document',
      '--job-id',
      job.jobId,
      '--endpoint-url',
      svc.url,
      '--filepath',
      opts.filepath,
      '--certfile',
      opts.certfile,
      // AWS IoT names the stream of an OTA update AFR_OTA-<uuid>; MQTT needs one.
      '--stream',
      `AFR_OTA-${job.jobId}`.slice(0, 44),
    ],
    {
      cwd: svc.dataDir,
      env: {
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: 'us-east-1',
      },
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
    },
  );
  if (code !== 0) {
    const refused =
      /^fwsign ota-job-document: (RevokedSignature|RevokedProfile|JobNotSucceeded|NoSignedObject): (.*)\n$/s.exec(
        stderr,
      );
    if (refused) throw new JobDocumentRefused(refused[1] as RefusalCode, refused[2]!);
    throw new Error(
      `fwsign ota-job-document --job-id ${job.jobId}: expected exit 0, got ${code}: ${stderr}`,
    );
  }
  return { json: stdout, parsed: parseOtaJobDocument(stdout) };
}
