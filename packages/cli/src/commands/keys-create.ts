import { access } from 'node:fs/promises';
import { createDevelopmentCertificate, parseCertificate } from '@fwsign/signing-engine';
import { choice, flag, integer, parse, pathOf, requireString, UsageError } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';
import { writeFileAtomic, writeSecretFile } from '../files.js';

export const keysCreate: Command = {
  name: 'keys create',
  usage: `fwsign keys create --algorithm ecdsa-p256|rsa-2048 --subject CN=… --key-out k.pem --cert-out c.pem [--validity-days N] [--force]
  The key file is written with mode 0600 and is never printed; an existing file is kept unless --force.`,
  async run(args, io) {
    const p = parse(args, {
      algorithm: { type: 'string' },
      subject: { type: 'string' },
      'key-out': { type: 'string' },
      'cert-out': { type: 'string' },
      'validity-days': { type: 'string' },
      force: { type: 'boolean' },
    });
    const algorithm = choice(p, 'algorithm', ['ecdsa-p256', 'rsa-2048'] as const);
    const subject = requireString(p, 'subject');
    const keyOut = pathOf(io, requireString(p, 'key-out'));
    const certOut = pathOf(io, requireString(p, 'cert-out'));
    const validityDays = integer(p, 'validity-days', 1, 36500);
    if (keyOut === certOut)
      throw new UsageError('--key-out and --cert-out must be different files');
    if (!flag(p, 'force')) {
      for (const path of [keyOut, certOut]) {
        const exists = await access(path).then(
          () => true,
          () => false,
        );
        if (exists) throw new Error(`${path} exists; pass --force to replace it`);
      }
    }
    const made = await createDevelopmentCertificate(
      validityDays === undefined ? { algorithm, subject } : { algorithm, subject, validityDays },
    );
    await writeSecretFile(keyOut, made.privateKeyPem, flag(p, 'force'));
    await writeFileAtomic(certOut, made.certificatePem);
    const cert = parseCertificate(made.certificatePem);
    io.stdout.write(
      `created ${algorithm} key ${keyOut} (mode 0600)\n` +
        `certificate ${certOut}\n  subject ${cert.subject}\n  valid ${cert.notBefore.toISOString()} .. ${cert.notAfter.toISOString()}\n  sha256 ${Buffer.from(cert.sha256).toString('hex')}\n`,
    );
    return EXIT_OK;
  },
};
