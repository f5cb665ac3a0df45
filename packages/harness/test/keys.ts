/**
 * Keys, anchors and signatures made with the openssl CLI, so the board tests do not depend on the
 * signing engine they exist to check.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { encodeTrustAnchorTable } from '@fwsign/protocol';

export const CERTFILE = 'code-sign.crt';

export interface TestKey {
  anchors: Uint8Array;
  sign(image: Uint8Array): Uint8Array;
  dispose(): void;
}

export function ecKey(certfile = CERTFILE): TestKey {
  const dir = mkdtempSync(join(tmpdir(), 'fwsign-hkey-'));
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    key,
  ]);
  const spki = execFileSync('openssl', ['pkey', '-in', key, '-pubout', '-outform', 'DER']);
  const point = new Uint8Array(spki.subarray(spki.length - 65));
  const anchors = encodeTrustAnchorTable([
    {
      name: certfile,
      certSha256: new Uint8Array(createHash('sha256').update(spki).digest()),
      key: { type: 'ec-p256', point },
    },
  ]);
  return {
    anchors,
    sign(image) {
      const f = join(dir, 'image.bin');
      writeFileSync(f, image);
      return new Uint8Array(execFileSync('openssl', ['dgst', '-sha256', '-sign', key, f]));
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
