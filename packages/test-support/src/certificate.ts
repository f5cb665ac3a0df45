import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CodeSigningCertificate {
  /** PEM text of the certificate and of its private key (PKCS#8, as ACM's ImportCertificate takes it). */
  certificate: string;
  privateKey: string;
  certFile: string;
  keyFile: string;
}

/**
 * A self-signed code-signing certificate and its key, made by OpenSSL's CLI (an independent
 * implementation, as a user brings their own) into `dir`: P-256 or RSA-2048, extended key usage
 * codeSigning, key usage digitalSignature.
 */
export function makeCodeSigningCertificate(
  dir: string,
  kind: 'ec' | 'rsa',
  cn = 'fwsign test',
  days = 365,
): CodeSigningCertificate {
  const tag = `${kind}-${cn.replace(/\W/g, '')}`;
  const pkcs1 = join(dir, `${tag}.key.pem`);
  const certFile = join(dir, `${tag}.cert.pem`);
  const keyFile = `${pkcs1}.p8`;
  const keyArgs =
    kind === 'ec'
      ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']
      : ['-newkey', 'rsa:2048'];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      ...keyArgs,
      '-nodes',
      '-keyout',
      pkcs1,
      '-out',
      certFile,
      '-days',
      String(days),
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'extendedKeyUsage=codeSigning',
      '-addext',
      'keyUsage=digitalSignature',
    ],
    { stdio: 'pipe' },
  );
  execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', pkcs1, '-out', keyFile], {
    stdio: 'pipe',
  });
  return {
    certificate: readFileSync(certFile, 'utf8'),
    privateKey: readFileSync(keyFile, 'utf8'),
    certFile,
    keyFile,
  };
}
