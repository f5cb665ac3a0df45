/**
 * The `fwsign` fixture of the end-to-end scenarios: a real `fwsign serve` (the API package's
 * SignerServer, in-process on an ephemeral port, its own data dir) driven with the AWS SDK as a
 * user's build pipeline would: import a key and certificate through ACM, put a signing profile,
 * upload to a versioned bucket, StartSigningJob, wait, download the signed object, revoke.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DescribeSigningJobCommand,
  GetSigningProfileCommand,
  PutSigningProfileCommand,
  RevokeSignatureCommand,
  RevokeSigningProfileCommand,
  SignerClient,
  StartSigningJobCommand,
  waitUntilSuccessfulSigningJob,
} from '@aws-sdk/client-signer';
import { callAcm, SignerServer } from '@fwsign/api';
import { parseSignedObject, type SignedObject } from '@fwsign/signing-engine';
import { makeCodeSigningCertificate } from '@fwsign/test-support';

const REGION = 'us-east-1';
const CREDS = { accessKeyId: 'test', secretAccessKey: 'test' };
const SOURCE_BUCKET = 'firmware-src';
const DEST_BUCKET = 'firmware-signed';

export interface CodeSigningIdentity {
  certificatePem: string;
  certificateArn: string;
}

export interface SigningJobOutcome {
  jobId: string;
  profileName: string;
  sourceVersion: string;
  signedObjectBytes: Uint8Array;
  signedObject: SignedObject;
}

export class FwsignService {
  private jobCount = 0;

  private constructor(
    readonly server: SignerServer,
    readonly url: string,
    readonly dataDir: string,
    private readonly work: string,
    readonly signer: SignerClient,
    readonly s3: S3Client,
    readonly accessLog: string[],
  ) {}

  static async start(): Promise<FwsignService> {
    const dataDir = mkdtempSync(join(tmpdir(), 'fwsign-e2e-data-'));
    const work = mkdtempSync(join(tmpdir(), 'fwsign-e2e-keys-'));
    const accessLog: string[] = [];
    const server = await SignerServer.open({
      dataDir,
      port: 0,
      accessLog: (l) => accessLog.push(l),
    });
    const { url } = await server.listen();
    const signer = new SignerClient({
      endpoint: url,
      region: REGION,
      credentials: CREDS,
      disableHostPrefix: true,
    });
    const s3 = new S3Client({
      endpoint: url,
      region: REGION,
      credentials: CREDS,
      forcePathStyle: true,
    });
    const svc = new FwsignService(server, url, dataDir, work, signer, s3, accessLog);
    await s3.send(new CreateBucketCommand({ Bucket: SOURCE_BUCKET }));
    await s3.send(
      new PutBucketVersioningCommand({
        Bucket: SOURCE_BUCKET,
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    await s3.send(new CreateBucketCommand({ Bucket: DEST_BUCKET }));
    return svc;
  }

  /**
   * A code-signing key and certificate made by OpenSSL's CLI and imported through ACM's
   * ImportCertificate, as a user brings their own. The private key stays in this temp dir (0600).
   */
  async importKey(kind: 'ec' | 'rsa', cn: string): Promise<CodeSigningIdentity> {
    const made = makeCodeSigningCertificate(this.work, kind, cn, 30);
    const certificatePem = made.certificate;
    const privateKeyPem = made.privateKey;
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    const imported = await callAcm(
      { endpoint: this.url, region: REGION, credentials: CREDS },
      'ImportCertificate',
      { Certificate: b64(certificatePem), PrivateKey: b64(privateKeyPem) },
    );
    return { certificatePem, certificateArn: String(imported.CertificateArn) };
  }

  async putProfile(
    profileName: string,
    platformId: string,
    identity: CodeSigningIdentity,
  ): Promise<{ profileVersion: string; profileVersionArn: string }> {
    const put = await this.signer.send(
      new PutSigningProfileCommand({
        profileName,
        platformId,
        signingMaterial: { certificateArn: identity.certificateArn },
      }),
    );
    return { profileVersion: put.profileVersion!, profileVersionArn: put.profileVersionArn! };
  }

  /** Uploads to the versioned bucket, signs with the profile, waits, downloads the signed object. */
  async sign(
    image: Uint8Array,
    profileName: string,
    key = 'app/firmware.bin',
  ): Promise<SigningJobOutcome> {
    const put = await this.s3.send(
      new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: key, Body: image }),
    );
    const started = await this.signer.send(
      new StartSigningJobCommand({
        source: { s3: { bucketName: SOURCE_BUCKET, key, version: put.VersionId! } },
        destination: { s3: { bucketName: DEST_BUCKET, prefix: 'signed/' } },
        profileName,
        clientRequestToken: `e2e-${process.pid}-${++this.jobCount}-${Date.now()}`,
      }),
    );
    const jobId = started.jobId!;
    await waitUntilSuccessfulSigningJob(
      { client: this.signer, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
      { jobId },
    );
    const job = await this.signer.send(new DescribeSigningJobCommand({ jobId }));
    const out = job.signedObject!.s3!;
    const got = await this.s3.send(
      new GetObjectCommand({ Bucket: out.bucketName!, Key: out.key! }),
    );
    const signedObjectBytes = await got.Body!.transformToByteArray();
    return {
      jobId,
      profileName,
      sourceVersion: put.VersionId!,
      signedObjectBytes,
      signedObject: parseSignedObject(signedObjectBytes),
    };
  }

  async revokeSignature(jobId: string, reason: string): Promise<void> {
    await this.signer.send(new RevokeSignatureCommand({ jobId, reason }));
  }

  async revokeProfile(profileName: string, reason: string): Promise<void> {
    const p = await this.signer.send(new GetSigningProfileCommand({ profileName }));
    await this.signer.send(
      new RevokeSigningProfileCommand({
        profileName,
        profileVersion: p.profileVersion!,
        reason,
        effectiveTime: new Date(Date.now() - 1000),
      }),
    );
  }

  async dispose(): Promise<void> {
    this.signer.destroy();
    this.s3.destroy();
    await this.server.close();
    rmSync(this.dataDir, { recursive: true, force: true });
    rmSync(this.work, { recursive: true, force: true });
  }
}
