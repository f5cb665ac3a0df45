import { callSigner, getOtaJobDocument, type ClientConfig } from '@fwsign/api';
import {
  buildOtaJobDocument,
  MAX_FILE_TYPE,
  streamNameProblem,
  parseSignedObject,
  type OtaJobFileInput,
  type OtaProtocol,
} from '@fwsign/signing-engine';
import { integer, optionalString, parse, pathOf, strings, UsageError } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';
import { reaching } from '../failure.js';
import { readInput, writeFileAtomic } from '../files.js';
import { clientConfig } from './aws/connection.js';

/** Why a signing job gets no OTA job document: the device cannot tell, so the builder refuses. */
class JobRefused extends Error {
  override readonly name = 'JobRefused';
  constructor(
    readonly code: 'RevokedSignature' | 'RevokedProfile' | 'JobNotSucceeded' | 'NoSignedObject',
    message: string,
  ) {
    super(message);
  }
}

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));

/**
 * Why the service refused a job's document, from the job and its profile: the job did not
 * succeed, its profile version was revoked effective before the job completed (a revocation
 * effective later leaves earlier signatures valid), its signature was revoked, or it wrote no
 * signed object. Throws a JobRefused naming the reason; returns when none applies.
 */
async function explainRefusal(config: ClientConfig, jobId: string): Promise<void> {
  const job = await callSigner(config, 'DescribeSigningJob', { jobId });
  if (job.status !== 'Succeeded')
    throw new JobRefused(
      'JobNotSucceeded',
      `job ${jobId}: expected status Succeeded, got ${String(job.status)}; refusing to build an OTA job for it`,
    );
  const profileName = String(job.profileName);
  const profile = await callSigner(config, 'GetSigningProfile', { profileName });
  const pr = profile.revocationRecord as
    { revocationEffectiveFrom?: unknown; revokedBy?: string } | undefined;
  const completed = job.completedAt instanceof Date ? job.completedAt.getTime() : Number.NaN;
  if (profile.status === 'Revoked' && profile.profileVersion === job.profileVersion) {
    const from =
      pr?.revocationEffectiveFrom instanceof Date
        ? pr.revocationEffectiveFrom.getTime()
        : Number.NEGATIVE_INFINITY;
    // No completion time to compare with: the revocation wins.
    if (!(completed < from)) {
      throw new JobRefused(
        'RevokedProfile',
        `job ${jobId}: profile ${profileName} version ${String(job.profileVersion)} was revoked effective ${pr?.revocationEffectiveFrom ? iso(pr.revocationEffectiveFrom) : 'always'}, before the job completed (${job.completedAt ? iso(job.completedAt) : 'unknown'}); refusing to build an OTA job for it`,
      );
    }
  }
  // The service also reports a profile revocation as the job's own record: the profile's is named first.
  const rr = job.revocationRecord as
    { reason?: string; revokedAt?: unknown; revokedBy?: string } | undefined;
  if (rr)
    throw new JobRefused(
      'RevokedSignature',
      `job ${jobId}: its signature was revoked at ${iso(rr.revokedAt)} by ${rr.revokedBy ?? 'unknown'} (${rr.reason ?? 'no reason'}); refusing to build an OTA job for it`,
    );
  const s3 = (job.signedObject as { s3?: { bucketName?: string; key?: string } } | undefined)?.s3;
  if (!s3?.bucketName || !s3.key)
    throw new JobRefused(
      'NoSignedObject',
      `job ${jobId}: expected signedObject.s3 with bucketName and key, got ${JSON.stringify(job.signedObject ?? null)}`,
    );
}

type OtaDocument = { afr_ota: { files: Array<Record<string, unknown>> } & Record<string, unknown> };

/**
 * The OTA job document of one signing job, from the API's route (GET
 * /_fwsign/signing-jobs/{jobId}/ota-job-document): the server reads the signed object the job
 * wrote, wherever the caller may see the job, and refuses a job it does not stand behind. That
 * refusal (409) is explained from the job and its profile (explainRefusal).
 */
async function documentOfJob(
  config: ClientConfig,
  jobId: string,
  query: Record<string, string | string[]>,
): Promise<OtaDocument> {
  try {
    return JSON.parse(await getOtaJobDocument(config, jobId, query)) as OtaDocument;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ConflictException')
      await explainRefusal(config, jobId);
    throw err;
  }
}

/** Several jobs' one-file documents as one document: their files in order, numbered 0, 1, …. */
function mergeDocuments(docs: OtaDocument[]): OtaDocument {
  const files = docs.flatMap((d) => d.afr_ota.files);
  files.forEach((f, i) => (f.fileid = i));
  return { afr_ota: { ...docs[0]!.afr_ota, files } };
}

export const otaJobDocument: Command = {
  name: 'ota-job-document',
  usage: `fwsign ota-job-document --signed fw.signed.json --filepath PATH --certfile /certs/codesign.crt --stream AFR_OTA-<uuid>
           [--signed … --filepath … [--certfile …]]   (several files: flags pair up in order)
       fwsign ota-job-document --job-id ID [--endpoint-url URL] [--region R] --filepath PATH --certfile …
           (from a signing job on the server: refused, exit 1, if the job did not succeed, its signature
            was revoked, or its profile version was revoked effective before the job completed)
           [--protocol MQTT|HTTP]… [--file-type 0..255] [--update-data-url URL --auth-scheme S] [--out job.json]
  --stream is required for MQTT (at most 44 characters, no #, + or /). The document is compact JSON,
  as the OTA agent's buffers need it; indented only when printed to a terminal.`,
  async run(args, io) {
    const p = parse(args, {
      signed: { type: 'string', multiple: true },
      filepath: { type: 'string', multiple: true },
      certfile: { type: 'string', multiple: true },
      stream: { type: 'string' },
      protocol: { type: 'string', multiple: true },
      'file-type': { type: 'string' },
      'update-data-url': { type: 'string' },
      'auth-scheme': { type: 'string' },
      out: { type: 'string' },
      'job-id': { type: 'string', multiple: true },
      'endpoint-url': { type: 'string' },
      region: { type: 'string' },
    });
    const signed = strings(p, 'signed');
    const jobIds = strings(p, 'job-id');
    if (jobIds.length > 0 && signed.length > 0)
      throw new UsageError(
        '--signed and --job-id exclude each other: give the signed files, or the signing jobs to fetch them from',
      );
    if (jobIds.length === 0 && (optionalString(p, 'endpoint-url') || optionalString(p, 'region')))
      throw new UsageError('--endpoint-url and --region go with --job-id');
    const count = jobIds.length > 0 ? jobIds.length : signed.length;
    const filepaths = strings(p, 'filepath');
    const certfiles = strings(p, 'certfile');
    if (count === 0) throw new UsageError('--signed (or --job-id) is required');
    const per = jobIds.length > 0 ? '--job-id' : '--signed';
    if (filepaths.length !== count)
      throw new UsageError(
        `--filepath expected once per ${per} (${count}), got ${filepaths.length}`,
      );
    if (certfiles.length !== 1 && certfiles.length !== count)
      throw new UsageError(
        `--certfile expected once, or once per ${per} (${count}), got ${certfiles.length}`,
      );
    const protocols = strings(p, 'protocol');
    for (const proto of protocols)
      if (proto !== 'MQTT' && proto !== 'HTTP')
        throw new UsageError(`--protocol expected MQTT or HTTP, got ${JSON.stringify(proto)}`);
    const fileType = integer(p, 'file-type', 0, MAX_FILE_TYPE);
    const stream = optionalString(p, 'stream');
    const problem = stream === undefined ? undefined : streamNameProblem(stream);
    if (problem) throw new UsageError(`--stream ${problem}`);
    if (stream === undefined && (protocols.length === 0 || protocols.includes('MQTT')))
      throw new UsageError(
        '--stream is required for MQTT (the device downloads the file over that stream; AWS IoT names them AFR_OTA-<uuid>), or pass --protocol HTTP with --update-data-url',
      );
    // What each file entry carries besides its signed object, named as the route's query is.
    const common: Omit<OtaJobFileInput, 'signedObject' | 'filepath' | 'certfile'> = {};
    if (fileType !== undefined) common.fileType = fileType;
    if (stream !== undefined) common.streamname = stream;
    const url = optionalString(p, 'update-data-url');
    if (url !== undefined) common.updateDataUrl = url;
    const authScheme = optionalString(p, 'auth-scheme');
    if (authScheme !== undefined) common.authScheme = authScheme;
    const certfileOf = (i: number): string => certfiles[certfiles.length === 1 ? 0 : i]!;
    let doc: OtaDocument | { afr_ota: Record<string, unknown> };
    if (jobIds.length > 0) {
      const flags = new Map<string, string[]>();
      for (const name of ['endpoint-url', 'region'] as const) {
        const v = optionalString(p, name);
        if (v !== undefined) flags.set(name, [v]);
      }
      const config = clientConfig(flags, io);
      const docs: OtaDocument[] = [];
      for (const [i, id] of jobIds.entries()) {
        // The route's query parameters (api/src/ota.ts), one file per job.
        const query: Record<string, string | string[]> = {
          filepath: filepaths[i]!,
          certfile: certfileOf(i),
          ...Object.fromEntries(Object.entries(common).map(([k, v]) => [k, String(v)])),
        };
        if (protocols.length > 0) query.protocol = protocols;
        docs.push(await reaching(config.endpoint, () => documentOfJob(config, id, query)));
      }
      doc = mergeDocuments(docs);
    } else {
      const files: OtaJobFileInput[] = [];
      for (const [i, path] of signed.entries()) {
        const bytes = await readInput('--signed', pathOf(io, path));
        files.push({
          signedObject: parseSignedObject(new Uint8Array(bytes)),
          filepath: filepaths[i]!,
          certfile: certfileOf(i),
          ...common,
        });
      }
      doc = buildOtaJobDocument(
        protocols.length > 0 ? { files, protocols: protocols as OtaProtocol[] } : { files },
      );
    }
    // Devices get compact JSON: the OTA agent's fixed buffers refuse a pretty-printed document
    // (its protocols value must fit 20 bytes). Indented only for a person at a terminal.
    const out = optionalString(p, 'out');
    const pretty = !out && (io.stdout as { isTTY?: boolean }).isTTY === true;
    const text = `${JSON.stringify(doc, null, pretty ? 2 : undefined)}\n`;
    if (out) {
      await writeFileAtomic(pathOf(io, out), text);
      io.stdout.write(`wrote ${pathOf(io, out)}\n`);
    } else {
      io.stdout.write(text);
    }
    return EXIT_OK;
  },
};
