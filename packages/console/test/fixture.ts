/** A real `fwsign serve` (the api and store from source) serving the built console, and its SDK clients. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACMClient, ImportCertificateCommand } from '@aws-sdk/client-acm';
import {
  CreateBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SignerClient } from '@aws-sdk/client-signer';
import { SignerServer } from '@fwsign/api';
import { createDevelopmentCertificate } from '@fwsign/signing-engine';

export const CONSOLE_DIST = fileURLToPath(new URL('../dist/', import.meta.url));
export const CREDS = { accessKeyId: 'test', secretAccessKey: 'test' };
export const REGION = 'us-east-1';

/** Builds the console unless set-up already did. */
export function ensureBuilt(): void {
  if (existsSync(join(CONSOLE_DIST, 'index.html'))) return;
  execFileSync(process.execPath, [fileURLToPath(new URL('../build.mjs', import.meta.url))], {
    stdio: 'inherit',
  });
}

export interface Fixture {
  url: string;
  dir: string;
  log: string[];
  signer: SignerClient;
  acm: ACMClient;
  s3: S3Client;
  certificateArn: string;
  certFile: string;
  firmware: Uint8Array;
  close(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'fwsign-console-'));
  const log: string[] = [];
  const server = await SignerServer.open({
    dataDir: join(dir, 'data'),
    port: 0,
    consoleDir: CONSOLE_DIST,
    accessLog: (line) => log.push(line),
  });
  const { url } = await server.listen();
  const common = { region: REGION, endpoint: url, credentials: CREDS };
  const signer = new SignerClient(common);
  const acm = new ACMClient(common);
  const s3 = new S3Client({ ...common, forcePathStyle: true });

  // A P-256 code-signing certificate, imported as the CLI user would (`aws acm import-certificate`).
  const cert = await createDevelopmentCertificate({
    algorithm: 'ecdsa-p256',
    subject: 'CN=console.example.com',
  });
  const certFile = join(dir, 'cert.pem');
  writeFileSync(certFile, cert.certificatePem);
  const imported = await acm.send(
    new ImportCertificateCommand({
      Certificate: Buffer.from(cert.certificatePem),
      PrivateKey: Buffer.from(cert.privateKeyPem),
    }),
  );
  for (const Bucket of ['firmware-src', 'firmware-dst']) {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  }
  const firmware = new Uint8Array(4096).map((_, i) => (i * 7) & 0xff);
  await s3.send(
    new PutObjectCommand({ Bucket: 'firmware-src', Key: 'app/firmware.bin', Body: firmware }),
  );
  return {
    url,
    dir,
    log,
    signer,
    acm,
    s3,
    certificateArn: imported.CertificateArn!,
    certFile,
    firmware,
    async close() {
      for (const c of [signer, acm, s3]) c.destroy();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The AWS CLI against the fixture, as an operator would check what the console did. */
export async function awsCli(fx: Fixture, args: string[]): Promise<Record<string, unknown>> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { stdout } = await promisify(execFile)(
    'aws',
    [...args, '--endpoint-url', fx.url, '--output', 'json'],
    {
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        HOME: fx.dir,
        AWS_ACCESS_KEY_ID: CREDS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
        AWS_DEFAULT_REGION: REGION,
        AWS_CONFIG_FILE: join(fx.dir, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(fx.dir, 'no-credentials'),
        AWS_PAGER: '',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    },
  );
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}
