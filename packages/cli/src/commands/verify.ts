import { verifySignedObject } from '@fwsign/signing-engine';
import { optionalString, parse, pathOf, requireString, UsageError } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, type Command } from '../command.js';
import { readCertificate } from '../certificate-input.js';
import { readInput } from '../files.js';
import { verifyManaged } from './verify-managed.js';
import { reportLogged, signedObjectSignature } from './verify-logged.js';

export const verify: Command = {
  name: 'verify',
  usage: `fwsign verify --cert c.pem | --public-key pub.pem --in fw.signed.json [--payload fw.bin] [--expires-at ISO-8601]
  --payload is needed for JSONDetached objects; for JSONEmbedded it must equal the embedded image.
fwsign verify --envelope sig.jws.json | --lambda fn.signed.zip --root root.pem [--endpoint-url URL [--region R]]
  Signer-managed signatures: the signature, the chain to the root (\`fwsign ca export\`), the expiry,
  and with --endpoint-url whether GetRevocationStatus names the job, profile version or certificate.
fwsign verify … --require-logged --checkpoint cp.txt --log AUDIT_DIR|postgres://… [--log-key log.pub]
  (with --in, --envelope or --lambda) Also requires that a signing job in the transparency log (a copy of DATA_DIR/audit,
  or a PostgreSQL store's table, checked
  against cp.txt, a checkpoint kept elsewhere) made this signature (a job or SignPayload) and that
  it was not revoked.`,
  async run(args, io) {
    const p = parse(args, {
      cert: { type: 'string' },
      'public-key': { type: 'string' },
      in: { type: 'string' },
      payload: { type: 'string' },
      'expires-at': { type: 'string' },
      envelope: { type: 'string' },
      lambda: { type: 'string' },
      root: { type: 'string' },
      'endpoint-url': { type: 'string' },
      region: { type: 'string' },
      'require-logged': { type: 'boolean' },
      checkpoint: { type: 'string' },
      log: { type: 'string' },
      'log-key': { type: 'string' },
    });
    if (p.values.envelope !== undefined || p.values.lambda !== undefined)
      return verifyManaged(p, io);
    const certPath = optionalString(p, 'cert');
    const pubPath = optionalString(p, 'public-key');
    if ((certPath === undefined) === (pubPath === undefined))
      throw new UsageError('give exactly one of --cert or --public-key');
    const signedObject = new Uint8Array(
      await readInput('--in', pathOf(io, requireString(p, 'in'))),
    );
    const payloadPath = optionalString(p, 'payload');
    const expires = optionalString(p, 'expires-at');
    const signatureExpiresAt = expires === undefined ? undefined : new Date(expires);
    if (signatureExpiresAt && Number.isNaN(signatureExpiresAt.getTime()))
      throw new UsageError(
        `--expires-at expected an ISO-8601 time, got ${JSON.stringify(expires)}`,
      );
    const keyFlag = certPath ? '--cert' : '--public-key';
    const keyFile = pathOf(io, (certPath ?? pubPath)!);
    // A file that is not a certificate is the command line's mistake, not an invalid image.
    if (certPath) await readCertificate(keyFlag, keyFile);
    const keyText = await readInput(keyFlag, keyFile);
    const verdict = await verifySignedObject({
      signedObject,
      ...(certPath
        ? { certificate: new Uint8Array(keyText) }
        : { publicKey: new Uint8Array(keyText) }),
      ...(payloadPath
        ? { payload: new Uint8Array(await readInput('--payload', pathOf(io, payloadPath))) }
        : {}),
      ...(signatureExpiresAt ? { signatureExpiresAt } : {}),
    });
    const detail = `${verdict.algorithm || '-'}, ${verdict.payloadSize} bytes, sha256 ${verdict.sha256 || '-'}`;
    if (verdict.ok && p.values['require-logged'] === true)
      return reportLogged(p, io, signedObjectSignature(signedObject), detail);
    if (verdict.ok) {
      io.stdout.write(`valid: ${detail}\n`);
      return EXIT_OK;
    }
    io.stdout.write(`invalid: ${verdict.reason}\n  ${detail}\n`);
    return EXIT_FAILURE;
  },
};
