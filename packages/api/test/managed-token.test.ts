/**
 * A server keeping Signer-managed keys in a PKCS#11 token (a throw-away SoftHSM2 token), as the
 * AWS SDK sees it: SignPayload signs through the token; with the token pulled it answers an
 * AWS-shaped InternalServiceErrorException naming the token (never the PIN), the server stays up
 * and answers everything else, and signs again once the token is back.
 */
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetSigningProfileCommand,
  PutSigningProfileCommand,
  SignPayloadCommand,
  SignerClient,
  SignerServiceException,
} from '@aws-sdk/client-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSoftHsm,
  reportSoftHsmSkip,
  softhsmMissing,
  useTokenEnv,
  type SoftHsm,
} from '../../signing-engine/test/softhsm.js';
import { SignerServer } from '../src/index.js';
import { DEV, REGION } from './helpers.js';

reportSoftHsmSkip('a server with Signer-managed keys in a PKCS#11 token');

const payload = new TextEncoder().encode(
  JSON.stringify({
    targetArtifact: {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:73c803930ea3ba1e54bc25c2bdc53edd0284c62ed651fe7b00369da519a3c333',
      size: 16724,
    },
  }),
);
const FORMAT = 'application/vnd.cncf.notary.payload.v1+json';

describe.skipIf(softhsmMissing)('Signer-managed keys in a token, over the API', () => {
  let hsm: SoftHsm;
  let dir: string;
  let server: SignerServer;
  let signer: SignerClient;
  let restoreEnv: (() => void) | undefined;

  beforeAll(async () => {
    hsm = createSoftHsm(['managed']);
    restoreEnv = useTokenEnv(hsm);
    dir = mkdtempSync(join(tmpdir(), 'fwsign-api-managed-token-'));
    server = await SignerServer.open({
      dataDir: dir,
      port: 0,
      accessLog: false,
      managedKeysPkcs11Uri: 'pkcs11:token=managed',
    });
    const { url } = await server.listen();
    signer = new SignerClient({ endpoint: url, region: REGION, credentials: DEV });
  });
  afterAll(async () => {
    signer?.destroy();
    await server?.close();
    hsm?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
    restoreEnv?.();
  });

  it('signs SignPayload through the token; a pulled token is an AWS-shaped 500 for that call only', async () => {
    await signer.send(
      new PutSigningProfileCommand({ profileName: 'oci', platformId: 'Notation-OCI-SHA384-ECDSA' }),
    );
    const sign = () =>
      signer.send(new SignPayloadCommand({ profileName: 'oci', payload, payloadFormat: FORMAT }));
    expect((await sign()).signature!.length).toBeGreaterThan(0);
    renameSync(hsm.tokenDir, `${hsm.tokenDir}.pulled`);
    try {
      const err = (await sign().then(
        () => undefined,
        (e: unknown) => e,
      )) as SignerServiceException;
      expect(err).toBeInstanceOf(SignerServiceException);
      expect([err.name, err.$metadata.httpStatusCode]).toEqual([
        'InternalServiceErrorException',
        500,
      ]);
      expect(err.message).toMatch(/^Signing failed: PKCS#11: .*token "managed"/);
      expect(err.message).not.toContain(hsm.pin);
      const got = await signer.send(new GetSigningProfileCommand({ profileName: 'oci' }));
      expect(got.status).toBe('Active');
    } finally {
      renameSync(`${hsm.tokenDir}.pulled`, hsm.tokenDir);
    }
    // The module looks for tokens again at most once a second.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await sign()).jobId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
