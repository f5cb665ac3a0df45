import { access } from 'node:fs/promises';
import {
  codeSigningCertificationRequest,
  createDevelopmentCertificate,
  generateTokenKeyPair,
  parseCertificate,
  selfSignedCodeSigningCertificate,
  tokenSigner,
} from '@fwsign/signing-engine';
import {
  choice,
  flag,
  integer,
  optionalString,
  parse,
  pathOf,
  requireString,
  UsageError,
  type Parsed,
} from '../args.js';
import { EXIT_OK, type CliIo, type Command } from '../command.js';
import { writeFileAtomic, writeSecretFile } from '../files.js';

async function refuseExisting(p: Parsed, paths: string[]): Promise<void> {
  if (flag(p, 'force')) return;
  for (const path of paths) {
    const exists = await access(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new Error(`${path} exists; pass --force to replace it`);
  }
}

function describeCertificate(path: string, pem: string): string {
  const cert = parseCertificate(pem);
  return `certificate ${path}\n  subject ${cert.subject}\n  valid ${cert.notBefore.toISOString()} .. ${cert.notAfter.toISOString()}\n  sha256 ${Buffer.from(cert.sha256).toString('hex')}\n`;
}

/**
 * --pkcs11-uri: the key pair is generated inside the token (sensitive, never extractable) and
 * signs its own certificate, or a CSR for a company CA, through the token.
 */
async function createInToken(
  p: Parsed,
  io: CliIo,
  uriText: string,
  algorithm: 'ecdsa-p256' | 'rsa-2048',
  subject: string,
  validityDays: number | undefined,
): Promise<number> {
  if (optionalString(p, 'key-out') !== undefined)
    throw new UsageError(
      '--key-out cannot be used with --pkcs11-uri: the key never leaves the token',
    );
  const certOut = optionalString(p, 'cert-out');
  const csrOut = optionalString(p, 'csr-out');
  if ((certOut === undefined) === (csrOut === undefined))
    throw new UsageError('--pkcs11-uri needs exactly one of --cert-out or --csr-out');
  const out = pathOf(io, (certOut ?? csrOut)!);
  await refuseExisting(p, [out]);
  // The token's native binding (pkcs11js) is loaded on this first call only.
  const made = await generateTokenKeyPair(uriText, algorithm, { env: io.env });
  const signer = tokenSigner(made.uri, algorithm === 'ecdsa-p256' ? 'ec-p256' : 'rsa', {
    env: io.env,
    maxSessions: 1,
  });
  try {
    const opts = { subject, spkiDer: made.spkiDer, signer };
    if (certOut !== undefined) {
      const pem = await selfSignedCodeSigningCertificate(
        validityDays === undefined ? opts : { ...opts, validityDays },
      );
      await writeFileAtomic(out, pem);
      io.stdout.write(
        `created ${algorithm} key in the token: ${made.uri}\n${describeCertificate(out, pem)}`,
      );
    } else {
      await writeFileAtomic(out, await codeSigningCertificationRequest(opts));
      io.stdout.write(
        `created ${algorithm} key in the token: ${made.uri}\ncertificate request ${out}\n  subject ${subject}\n`,
      );
    }
  } finally {
    signer.key.close();
  }
  return EXIT_OK;
}

export const keysCreate: Command = {
  name: 'keys create',
  usage: `fwsign keys create --algorithm ecdsa-p256|rsa-2048 --subject CN=… --key-out k.pem --cert-out c.pem [--validity-days N] [--force]
       fwsign keys create --pkcs11-uri 'pkcs11:token=T;object=NAME' --algorithm … --subject CN=… --cert-out c.pem | --csr-out r.csr
  The key file is written with mode 0600 and is never printed; an existing file is kept unless --force.
  With --pkcs11-uri the key pair is generated inside the token (sensitive, not extractable) and signs
  its own certificate (or a certificate request for your CA) there; the module comes from
  FWSIGN_PKCS11_MODULE or the URI's module-path, the PIN from FWSIGN_PKCS11_PIN or pin-source.`,
  async run(args, io) {
    const p = parse(args, {
      algorithm: { type: 'string' },
      subject: { type: 'string' },
      'key-out': { type: 'string' },
      'cert-out': { type: 'string' },
      'csr-out': { type: 'string' },
      'pkcs11-uri': { type: 'string' },
      'validity-days': { type: 'string' },
      force: { type: 'boolean' },
    });
    const algorithm = choice(p, 'algorithm', ['ecdsa-p256', 'rsa-2048'] as const);
    const subject = requireString(p, 'subject');
    const validityDays = integer(p, 'validity-days', 1, 36500);
    const uri = optionalString(p, 'pkcs11-uri');
    if (uri !== undefined) return createInToken(p, io, uri, algorithm, subject, validityDays);
    if (optionalString(p, 'csr-out') !== undefined)
      throw new UsageError('--csr-out needs --pkcs11-uri (a key in a token)');
    const keyOut = pathOf(io, requireString(p, 'key-out'));
    const certOut = pathOf(io, requireString(p, 'cert-out'));
    if (keyOut === certOut)
      throw new UsageError('--key-out and --cert-out must be different files');
    await refuseExisting(p, [keyOut, certOut]);
    const made = await createDevelopmentCertificate(
      validityDays === undefined ? { algorithm, subject } : { algorithm, subject, validityDays },
    );
    await writeSecretFile(keyOut, made.privateKeyPem, flag(p, 'force'));
    await writeFileAtomic(certOut, made.certificatePem);
    io.stdout.write(
      `created ${algorithm} key ${keyOut} (mode 0600)\n${describeCertificate(certOut, made.certificatePem)}`,
    );
    return EXIT_OK;
  },
};
