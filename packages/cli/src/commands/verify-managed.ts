/**
 * `fwsign verify --envelope | --lambda`: signatures made with Signer-managed keys (Notation's JWS
 * envelope, a signed Lambda ZIP), checked against an exported root (`fwsign ca export`), and,
 * given --endpoint-url, against the server's revocation records through GetRevocationStatus.
 */
import { readFile } from 'node:fs/promises';
import { callSigner } from '@fwsign/api';
import {
  NOTARY_PAYLOAD_TYPE,
  LAMBDA_SIGNATURE_MAGIC,
  certificateHashes,
  inspectZip,
  pemBlocks,
  verifyJwsEnvelope,
  verifyLambdaPackage,
} from '@fwsign/signing-engine';
import type { EnvelopeVerdict } from '@fwsign/signing-engine';
import { optionalString, pathOf, requireString, UsageError, type Parsed } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../command.js';
import { reaching } from '../failure.js';
import { envelopeSignature, reportLogged } from './verify-logged.js';

async function roots(io: CliIo, file: string): Promise<Uint8Array[]> {
  const text = await readFile(pathOf(io, file), 'utf8');
  const out = pemBlocks(text);
  if (out.length === 0)
    throw new UsageError(`--root ${file}: expected a PEM certificate, got none`);
  return out;
}

async function revoked(
  io: CliIo,
  endpoint: string,
  region: string | undefined,
  platformId: string,
  v: EnvelopeVerdict,
): Promise<string[]> {
  const a = v.attributes!;
  const out = await callSigner(
    {
      endpoint,
      region: region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      credentials: {
        accessKeyId: io.env.AWS_ACCESS_KEY_ID ?? 'test',
        secretAccessKey: io.env.AWS_SECRET_ACCESS_KEY ?? 'test',
      },
    },
    'GetRevocationStatus',
    {
      signatureTimestamp: a.signingTime,
      platformId,
      profileVersionArn: a.profileVersionArn,
      jobArn: a.jobArn,
      certificateHashes: certificateHashes(v.chainDer!),
    },
  );
  return (out.revokedEntities as string[] | undefined) ?? [];
}

export async function verifyManaged(p: Parsed, io: CliIo): Promise<number> {
  const envelope = optionalString(p, 'envelope');
  const lambda = optionalString(p, 'lambda');
  if ((envelope === undefined) === (lambda === undefined))
    throw new UsageError('give exactly one of --envelope or --lambda');
  const trustedRoots = await roots(io, requireString(p, 'root'));
  const file = new Uint8Array(await readFile(pathOf(io, (envelope ?? lambda)!)));
  const v = envelope
    ? verifyJwsEnvelope({ envelope: file, contentType: NOTARY_PAYLOAD_TYPE, trustedRoots })
    : verifyLambdaPackage({ pkg: file, trustedRoots });
  const a = v.attributes;
  const detail = a
    ? `signed ${a.signingTime.toISOString()}, expires ${a.expiry.toISOString()}, ${a.profileVersionArn}, ${a.jobArn}`
    : '-';
  if (v.ok) {
    const endpoint = optionalString(p, 'endpoint-url');
    if (endpoint !== undefined) {
      const platform = envelope ? 'Notation-OCI-SHA384-ECDSA' : 'AWSLambda-SHA384-ECDSA';
      const entities = await reaching(endpoint, () =>
        revoked(io, endpoint, optionalString(p, 'region'), platform, v),
      );
      if (entities.length > 0) {
        io.stdout.write(`invalid: revoked: ${entities.join(', ')}\n  ${detail}\n`);
        return EXIT_FAILURE;
      }
    }
    if (p.values['require-logged'] === true) {
      // The envelope's own signature, or the one in the Lambda package's comment.
      const text = envelope
        ? Buffer.from(file).toString('utf8')
        : Buffer.from(inspectZip(file).comment)
            .toString('latin1')
            .slice(LAMBDA_SIGNATURE_MAGIC.length);
      return reportLogged(p, io, envelopeSignature(text), detail);
    }
    io.stdout.write(`valid: ${detail}\n`);
    return EXIT_OK;
  }
  io.stdout.write(`invalid: ${v.reason}\n  ${detail}\n`);
  return EXIT_FAILURE;
}
