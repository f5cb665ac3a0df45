import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { createPrivateKey, createPublicKey, type X509Certificate } from 'node:crypto';
import {
  resolveEffectiveConfiguration,
  signPayloadToFile,
  signerFromPrivateKey,
  tokenSigner,
  type Signer,
  type SigningConfigurationOverrides,
} from '@fwsign/signing-engine/signing';
import { optionalString, parse, pathOf, requireString, UsageError } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';
import { readCertificate } from '../certificate-input.js';
import { checkReadable, readInput } from '../files.js';
import { knownPlatform } from './platform-input.js';

export const sign: Command = {
  name: 'sign',
  usage: `fwsign sign --platform-id ID --key k.pem | --pkcs11-uri URI --cert c.pem --in fw.bin --out fw.signed.json [--format JSONEmbedded|JSONDetached]
           [--bucket B --object-key K --object-version V]   (JSONDetached: where the payload lives)
  The image is streamed; the key must match the certificate. --pkcs11-uri signs with a key in a
  PKCS#11 token (module: FWSIGN_PKCS11_MODULE or the URI's module-path; PIN: FWSIGN_PKCS11_PIN or pin-source).`,
  async run(args, io) {
    const p = parse(args, {
      'platform-id': { type: 'string' },
      key: { type: 'string' },
      'pkcs11-uri': { type: 'string' },
      cert: { type: 'string' },
      in: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string' },
      bucket: { type: 'string' },
      'object-key': { type: 'string' },
      'object-version': { type: 'string' },
    });
    const platformId = knownPlatform(requireString(p, 'platform-id'));
    const uri = optionalString(p, 'pkcs11-uri');
    if ((uri === undefined) === (optionalString(p, 'key') === undefined))
      throw new UsageError(
        'give exactly one of --key (a key file) or --pkcs11-uri (a key in a token)',
      );
    const keyPem =
      uri === undefined
        ? (await readInput('--key', pathOf(io, requireString(p, 'key')))).toString('utf8')
        : undefined;
    const certPath = pathOf(io, requireString(p, 'cert'));
    const input = pathOf(io, requireString(p, 'in'));
    const output = pathOf(io, requireString(p, 'out'));
    await checkReadable('--in', input);
    const format = optionalString(p, 'format');
    const overrides: SigningConfigurationOverrides =
      format === undefined ? {} : { signingImageFormat: format };
    const config = resolveEffectiveConfiguration(platformId, overrides);
    const cert = await readCertificate('--cert', certPath);
    let signer: Signer;
    if (keyPem !== undefined) {
      // The signer reads (and refuses) the key first, so the match check sees a real key.
      signer = signerFromPrivateKey(keyPem);
      if (!keyMatches(cert, keyPem))
        throw new Error(`the key does not match the certificate ${certPath} (${cert.subject})`);
    } else {
      const token = tokenSigner(
        uri!,
        cert.publicKey.asymmetricKeyType === 'rsa' ? 'rsa' : 'ec-p256',
        {
          env: io.env,
          maxSessions: 1,
        },
      );
      const spki = Buffer.from(await token.key.publicKeySpki());
      if (!createPublicKey({ key: spki, format: 'der', type: 'spki' }).equals(cert.publicKey))
        throw new Error(
          `the token's key ${token.key.name} does not match the certificate ${certPath} (${cert.subject})`,
        );
      signer = token;
    }
    let payloadLocation;
    if (config.imageFormat === 'JSONDetached') {
      const bucketName = optionalString(p, 'bucket');
      const key = optionalString(p, 'object-key') ?? basename(input);
      const version = optionalString(p, 'object-version');
      if (!bucketName || !version)
        throw new UsageError(
          'JSONDetached needs --bucket and --object-version (and optionally --object-key) naming where the payload lives',
        );
      payloadLocation = { bucketName, key, version };
    }
    const tmp = join(dirname(output), `.${basename(output)}.${randomBytes(4).toString('hex')}.tmp`);
    const image = await open(input, 'r');
    const out = await open(tmp, 'wx+', 0o644).catch(async (err: unknown) => {
      await image.close();
      throw err;
    });
    try {
      const r = await signPayloadToFile({
        config,
        signer,
        payload: image,
        file: out,
        reportSha256: true,
        ...(payloadLocation ? { payloadLocation } : {}),
      });
      await Promise.all([out.close(), image.close()]);
      await rename(tmp, output);
      io.stdout.write(
        `signed ${input} (${r.rawPayloadSize} bytes, sha256 ${Buffer.from(r.payloadSha256!).toString('hex')})\n` +
          `  platform ${platformId}, ${r.signatureAlgorithm}, ${r.format}\n  wrote ${output}\n`,
      );
      return EXIT_OK;
    } catch (err) {
      await Promise.all([out.close().catch(() => {}), image.close().catch(() => {})]);
      await rm(tmp, { force: true });
      throw err;
    }
  },
};

/** X509Certificate.checkPrivateKey, false rather than a throw for keys of another type. */
function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}
