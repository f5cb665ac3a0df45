/**
 * fwsign's own read-only route beside Signer's: the FreeRTOS OTA job document of a signing job,
 * built by the engine's builder (the one `fwsign ota-job-document` uses) from the job's signed
 * object, so the web console needs no engine code of its own.
 *
 *   GET /_fwsign/signing-jobs/{jobId}/ota-job-document?filepath=…&certfile=…[&streamname=…]
 *       [&protocol=MQTT|HTTP]…[&fileType=0..255][&updateDataUrl=…][&authScheme=…]
 *
 * The prefix is no Signer route's and no S3 path-style request's (a bucket name starts with a
 * letter or digit). Requests are SigV4-signed for the `signer` service like Signer's, answered in
 * its rest-json shapes, and see a job exactly when DescribeSigningJob would show it to the caller.
 * The document carries the signed object's signature and certificate path, read from S3, so an IAM
 * principal needs what both reads need: signer:DescribeSigningJob on the job and s3:GetObject on
 * the signed object.
 */
import {
  buildOtaJobDocument,
  MAX_FILE_TYPE,
  parseSignedObject,
  type OtaJobFileInput,
  type OtaProtocol,
  type SignedObject,
} from '@fwsign/signing-engine';
import type { Identity } from './credentials.js';
import { ApiError, decodePercent, validation } from './errors.js';
import type { StoreSignerOperations } from './operations.js';
import type { S3Buckets } from './s3.js';

/** The first path segment of fwsign's own routes. */
export const FWSIGN_ROOT = '_fwsign';

export const OTA_OPERATION = 'GetOtaJobDocument';

const OTA_PATH = /^\/_fwsign\/signing-jobs\/([^/]+)\/ota-job-document$/;

/** The job a GET of the OTA route names, or undefined when the request is not that route. */
export function otaRoute(method: string, rawPath: string): { jobId: string } | undefined {
  const m = OTA_PATH.exec(rawPath);
  return m && method === 'GET' ? { jobId: decodePercent(m[1]!, 'the path') } : undefined;
}

/** What the route needs of the store: the job as DescribeSigningJob shows it, and its bucket. */
export interface OtaStore {
  describeSigningJob: StoreSignerOperations['describeSigningJob'];
  readonly buckets: Pick<S3Buckets, 'getObject'>;
}

type Query = Record<string, string | string[]>;

const SINGLE = ['filepath', 'certfile', 'streamname', 'fileType', 'updateDataUrl', 'authScheme'];

/** The file entry and protocols the query asks for; an unknown or repeated parameter is refused. */
function documentRequest(query: Query): {
  file: Omit<OtaJobFileInput, 'signedObject'>;
  protocols?: OtaProtocol[];
} {
  const one = (name: string): string | undefined => {
    const v = query[name];
    if (Array.isArray(v))
      throw validation(`${name}: expected one query parameter, got ${v.length}`);
    return v;
  };
  for (const name of Object.keys(query))
    if (name !== 'protocol' && !SINGLE.includes(name))
      throw validation(
        `${JSON.stringify(name)}: unknown query parameter; expected ${[...SINGLE, 'protocol'].join(', ')}`,
      );
  const filepath = one('filepath');
  const certfile = one('certfile');
  if (!filepath) throw validation('filepath: expected the file path on the device, got none');
  if (!certfile)
    throw validation(
      'certfile: expected the code-signing certificate path on the device, got none',
    );
  const file: Omit<OtaJobFileInput, 'signedObject'> = { filepath, certfile };
  const streamname = one('streamname');
  if (streamname !== undefined) file.streamname = streamname;
  const fileType = one('fileType');
  if (fileType !== undefined) {
    const n = /^\d{1,3}$/.test(fileType) ? Number(fileType) : Number.NaN;
    if (!(n <= MAX_FILE_TYPE))
      throw validation(`fileType: expected an integer 0..${MAX_FILE_TYPE}, got ${fileType}`);
    file.fileType = n;
  }
  const url = one('updateDataUrl');
  if (url !== undefined) file.updateDataUrl = url;
  const scheme = one('authScheme');
  if (scheme !== undefined) file.authScheme = scheme;
  const p = query.protocol;
  const protocols = p === undefined ? undefined : Array.isArray(p) ? p : [p];
  for (const proto of protocols ?? [])
    if (proto !== 'MQTT' && proto !== 'HTTP')
      throw validation(`protocol: expected MQTT or HTTP, got ${JSON.stringify(proto)}`);
  return protocols ? { file, protocols: protocols as OtaProtocol[] } : { file };
}

/** A job the device must not be sent: answered as Signer answers a resource in the wrong state. */
const conflict = (message: string): ApiError => new ApiError('ConflictException', 409, message);

/**
 * The OTA job document of `jobId` as compact JSON (what the OTA agent's buffers take). Refused
 * while the service does not stand behind the signature: the job did not succeed, or its
 * signature or its profile version was revoked (the job's revocation record names either).
 */
export async function otaJobDocument(
  store: OtaStore,
  id: Identity,
  jobId: string,
  query: Query,
  /** Authorizes reading the signed object (s3:GetObject for an IAM principal) before it is read. */
  mayRead?: (owner: string, bucket: string, key: string) => Promise<void>,
): Promise<string> {
  const wanted = documentRequest(query);
  const job = await store.describeSigningJob(id, { jobId });
  if (job.status !== 'Succeeded')
    throw conflict(
      `jobId: signing job ${jobId} expected status Succeeded, got ${job.status}; it has no OTA job document`,
    );
  const rr = job.revocationRecord;
  if (rr)
    throw conflict(
      `jobId: the signature of signing job ${jobId} was revoked at ${rr.revokedAt?.toISOString()} by ${rr.revokedBy} (${rr.reason}); devices must not be sent it`,
    );
  const s3 = job.signedObject?.s3;
  if (!s3?.bucketName || !s3.key || !job.jobInvoker)
    throw conflict(
      `jobId: signing job ${jobId} has no signed object in S3 (SignPayload answers its signature to the caller)`,
    );
  await mayRead?.(job.jobInvoker, s3.bucketName, s3.key);
  const signedObject = await readSignedObject(store, job.jobInvoker, s3.bucketName, s3.key);
  try {
    const doc = buildOtaJobDocument({
      files: [{ signedObject, ...wanted.file }],
      ...(wanted.protocols ? { protocols: wanted.protocols } : {}),
    });
    return JSON.stringify(doc);
  } catch (err) {
    // The builder's refusals (a stream name AWS IoT would not take, MQTT without one) are the query's.
    if ((err as { code?: unknown }).code === 'ValidationException')
      throw validation((err as Error).message);
    throw err;
  }
}

/** The signed object the job wrote, from its invoker's bucket (the job's visibility was checked). */
async function readSignedObject(
  store: OtaStore,
  invoker: string,
  bucket: string,
  key: string,
): Promise<SignedObject> {
  let body: Uint8Array;
  try {
    body = (await store.buckets.getObject(invoker, bucket, key)).body;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'NoSuchKey' || code === 'NoSuchBucket')
      throw new ApiError(
        'ResourceNotFoundException',
        404,
        `the signed object s3://${bucket}/${key} of the job no longer exists (${String(code)})`,
      );
    throw err;
  }
  try {
    return parseSignedObject(body);
  } catch (err) {
    throw conflict(
      `s3://${bucket}/${key} no longer holds the job's signed object: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
