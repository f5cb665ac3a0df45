/**
 * The FreeRTOS OTA job document (`afr_ota`) that AWS IoT builds from a signing job, and a parser
 * that checks it as the OTA agent's job model does (ota-for-aws-iot-embedded-sdk, otaJobDocModel):
 * `afr_ota.protocols` and `afr_ota.files` required; per file `filesize` and `fileid` required
 * uint32; `afr_ota.streamname`, `filepath`, `certfile`, `update_data_url`, `auth_scheme`, `attr`,
 * `fileType` optional; the signature, base64, at most 384 bytes decoded (kOTA_MaxSignatureSize).
 */
import { decodeBase64Strict } from './base64.js';
import { EngineError } from './errors.js';
import type { SignedObject } from './signed-object.js';
import { firstDuplicateKey } from './json-keys.js';

export const MAX_SIGNATURE_BYTES = 384;
const UINT32_MAX = 0xffffffff;
/**
 * The longest stream name the OTA agent can put in its MQTT topic buffers
 * (ota-for-aws-iot-embedded-sdk source/ota_mqtt.c, STREAM_NAME_MAX_LEN): exactly AWS IoT's own
 * names, `AFR_OTA-` and a UUID.
 */
export const MAX_STREAM_NAME_LENGTH = 44;
/** AWS IoT's range for a file's type (CreateOTAUpdate fileType). */
export const MAX_FILE_TYPE = 255;

/** Why `name` cannot be a stream name in an MQTT topic, or undefined when it can. */
export function streamNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'expected a stream name, got an empty one';
  if (name.length > MAX_STREAM_NAME_LENGTH)
    return `expected at most ${MAX_STREAM_NAME_LENGTH} characters (the OTA agent's topic buffer; AWS IoT names streams AFR_OTA-<uuid>), got ${name.length}`;
  const bad = /[#+/\u0000]/.exec(name);
  if (bad)
    return `expected no MQTT topic characters (#, +, /), got ${JSON.stringify(bad[0])} in ${JSON.stringify(name)}`;
  return undefined;
}

export type OtaProtocol = 'MQTT' | 'HTTP';

export interface OtaJobFile {
  filepath?: string;
  filesize: number;
  fileid: number;
  certfile?: string;
  fileType?: number;
  attr?: number;
  update_data_url?: string;
  auth_scheme?: string;
  /** The `sig-…` key the signature came under, e.g. `sig-sha256-ecdsa`. */
  signatureKey?: string;
  signature?: Uint8Array;
}

export interface OtaJobDocument {
  protocols: OtaProtocol[];
  streamname?: string;
  files: OtaJobFile[];
}

export interface OtaJobFileInput {
  signedObject: SignedObject;
  filepath: string;
  certfile: string;
  fileid?: number;
  fileType?: number;
  streamname?: string;
  updateDataUrl?: string;
  authScheme?: string;
}

/** `SHA256withECDSA` → `sig-sha256-ecdsa`, `SHA1withRSA` → `sig-sha1-rsa`. */
export function signatureKeyFor(signatureAlgorithm: string): string {
  return `sig-${signatureAlgorithm.replace('with', '-').toLowerCase()}`;
}

const SIGNATURE_KEYS = new Set(['sig-sha256-ecdsa', 'sig-sha1-rsa', 'sig-sha256-rsa']);

function bad(message: string): never {
  throw new EngineError('MalformedJobDocument', `OTA job document: ${message}`);
}

function uint32(where: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > UINT32_MAX)
    bad(`${where} expected an integer 0..${UINT32_MAX}, got ${JSON.stringify(v)}`);
  return v;
}

function optString(where: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string')
    bad(`${where} expected a string, got ${v === null ? 'null' : typeof v}`);
  return v;
}

export function buildOtaJobDocument(opts: {
  files: OtaJobFileInput[];
  protocols?: OtaProtocol[];
}): { afr_ota: Record<string, unknown> } {
  const protocols = opts.protocols ?? ['MQTT'];
  if (protocols.length === 0 || protocols.some((p) => p !== 'MQTT' && p !== 'HTTP')) {
    throw new EngineError(
      'ValidationException',
      `buildOtaJobDocument: "protocols" expected a non-empty list of MQTT, HTTP, got ${JSON.stringify(protocols)}`,
    );
  }
  if (!Array.isArray(opts.files) || opts.files.length === 0)
    throw new EngineError(
      'ValidationException',
      'buildOtaJobDocument: "files" expected at least one file, got none',
    );
  const streams = new Set(
    opts.files.map((f) => f.streamname).filter((s): s is string => s !== undefined),
  );
  // The agent reads one stream name for the whole job (afr_ota.streamname), not one per file.
  if (streams.size > 1)
    throw new EngineError(
      'ValidationException',
      `buildOtaJobDocument: one streamname per job expected (afr_ota.streamname), got ${[...streams].join(', ')}`,
    );
  const [stream] = streams;
  if (stream !== undefined) {
    const problem = streamNameProblem(stream);
    if (problem)
      throw new EngineError('ValidationException', `buildOtaJobDocument: streamname ${problem}`);
  }
  // Over MQTT the agent downloads from the stream: a document without one gives it nothing to read.
  if (protocols.includes('MQTT') && stream === undefined)
    throw new EngineError(
      'ValidationException',
      'buildOtaJobDocument: the MQTT protocol expected a streamname (AWS IoT names them AFR_OTA-<uuid>), got none; give one, or use HTTP with an update_data_url',
    );
  const files = opts.files.map((f, i) => {
    const sig = f.signedObject.signature;
    if (sig.length > MAX_SIGNATURE_BYTES)
      throw new EngineError(
        'ValidationException',
        `buildOtaJobDocument: files[${i}] signature expected at most ${MAX_SIGNATURE_BYTES} bytes, got ${sig.length}`,
      );
    const file: Record<string, unknown> = {
      filepath: f.filepath,
      filesize: f.signedObject.rawPayloadSize,
      fileid: f.fileid ?? i,
      certfile: f.certfile,
    };
    // AWS IoT writes "fileType": 0 when none is given; its range is 0..255.
    const fileType = f.fileType ?? 0;
    if (!Number.isInteger(fileType) || fileType < 0 || fileType > MAX_FILE_TYPE)
      throw new EngineError(
        'ValidationException',
        `buildOtaJobDocument: files[${i}].fileType expected an integer 0..${MAX_FILE_TYPE}, got ${JSON.stringify(fileType)}`,
      );
    file.fileType = fileType;
    if (f.updateDataUrl !== undefined) file.update_data_url = f.updateDataUrl;
    if (f.authScheme !== undefined) file.auth_scheme = f.authScheme;
    uint32(`files[${i}].fileid`, file.fileid);
    uint32(`files[${i}].filesize`, file.filesize);
    // AWS copies the signed object's signature text unchanged.
    file[signatureKeyFor(f.signedObject.signatureAlgorithm)] = Buffer.from(sig).toString('base64');
    return file;
  });
  const afr_ota: Record<string, unknown> = { protocols: [...protocols] };
  if (stream !== undefined) afr_ota.streamname = stream;
  afr_ota.files = files;
  return { afr_ota };
}

/** Accepts the job document itself or the job execution message around it (execution.jobDocument). */
export function parseOtaJobDocument(json: string | object): OtaJobDocument {
  let doc: unknown = json;
  if (typeof json === 'string') {
    try {
      doc = JSON.parse(json);
    } catch (err) {
      bad(`expected JSON, got text that does not parse (${(err as Error).message})`);
    }
    const twice = firstDuplicateKey(json);
    if (twice !== undefined)
      bad(`key ${JSON.stringify(twice)} appears twice in one object; expected each key once`);
  }
  const asRecord = (v: unknown): Record<string, unknown> | undefined =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  const top = asRecord(doc) ?? bad('expected a JSON object');
  const jobDocument = asRecord(asRecord(top.execution)?.jobDocument) ?? top;
  const ota = asRecord(jobDocument.afr_ota) ?? bad('afr_ota expected an object, got none');
  const protocols = ota.protocols;
  if (!Array.isArray(protocols) || protocols.length === 0)
    bad('afr_ota.protocols expected a non-empty array, got ' + JSON.stringify(protocols));
  for (const p of protocols)
    if (p !== 'MQTT' && p !== 'HTTP')
      bad(`afr_ota.protocols entries expected MQTT or HTTP, got ${JSON.stringify(p)}`);
  const streamname = optString('afr_ota.streamname', ota.streamname);
  if (!Array.isArray(ota.files) || ota.files.length === 0)
    bad('afr_ota.files expected a non-empty array, got ' + JSON.stringify(ota.files));
  const files = ota.files.map((raw, i): OtaJobFile => {
    const f = asRecord(raw) ?? bad(`afr_ota.files[${i}] expected an object`);
    const where = `afr_ota.files[${i}]`;
    if (!('filesize' in f)) bad(`${where}.filesize is required`);
    if (!('fileid' in f)) bad(`${where}.fileid is required`);
    const file: OtaJobFile = {
      filesize: uint32(`${where}.filesize`, f.filesize),
      fileid: uint32(`${where}.fileid`, f.fileid),
    };
    const s = (k: 'filepath' | 'certfile' | 'update_data_url' | 'auth_scheme'): void => {
      const v = optString(`${where}.${k}`, f[k]);
      if (v !== undefined) file[k] = v;
    };
    s('filepath');
    s('certfile');
    s('update_data_url');
    s('auth_scheme');
    if (f.fileType !== undefined) file.fileType = uint32(`${where}.fileType`, f.fileType);
    if (f.attr !== undefined) file.attr = uint32(`${where}.attr`, f.attr);
    const sigKeys = Object.keys(f).filter((k) => k.startsWith('sig-'));
    if (sigKeys.length > 1) bad(`${where} expected one signature key, got ${sigKeys.join(', ')}`);
    const [key] = sigKeys;
    if (key !== undefined) {
      if (!SIGNATURE_KEYS.has(key))
        bad(
          `${where}.${key} is not a signature key the OTA agent knows (${[...SIGNATURE_KEYS].join(', ')})`,
        );
      const text = optString(`${where}.${key}`, f[key])!;
      const sig =
        decodeBase64Strict(text) ?? bad(`${where}.${key} expected base64, got text that is not`);
      if (sig.length === 0 || sig.length > MAX_SIGNATURE_BYTES)
        bad(`${where}.${key} expected 1..${MAX_SIGNATURE_BYTES} bytes decoded, got ${sig.length}`);
      file.signatureKey = key;
      file.signature = sig;
    }
    return file;
  });
  const result: OtaJobDocument = { protocols: protocols as OtaProtocol[], files };
  if (streamname !== undefined) result.streamname = streamname;
  return result;
}
