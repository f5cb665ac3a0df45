/**
 * fwsign's own routes authorized for IAM principals: the transparency log's reads under
 * /_fwsign/audit/ need fwsign's own actions on the account's log (examples/iam/auditor.json grants
 * them), and the OTA job document needs signer:DescribeSigningJob on the job and s3:GetObject on
 * its signed object. Denials are AccessDeniedException (403) naming the caller, action and resource.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate, REGION, signedFetch, startStoreServer } from './helpers.js';
import { ACCOUNT, policy, type Creds } from './iam-fixture.js';

const ME = { accountId: ACCOUNT, principalArn: `arn:aws:iam::${ACCOUNT}:root` };
const LOG = `arn:aws:fwsign:${REGION}:${ACCOUNT}:audit-log/default`;
const example = (name: string) =>
  readFileSync(new URL(`../examples/iam/${name}.json`, import.meta.url), 'utf8');

let srv: Awaited<ReturnType<typeof startStoreServer>>;
let jobId: string;
let signedKey: string;
const users: Record<string, Creds> = {};

/** A user with these policies (inline), and its key. */
async function user(name: string, ...documents: string[]): Promise<void> {
  const iam = srv.store.iam;
  await iam.createUser(ACCOUNT, { UserName: name });
  for (const [i, d] of documents.entries())
    await iam.putUserPolicy(ACCOUNT, { UserName: name, PolicyName: `p${i}`, PolicyDocument: d });
  const { AccessKey } = await iam.createAccessKey(ACCOUNT, { UserName: name });
  users[name] = { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}

beforeAll(async () => {
  srv = await startStoreServer('fwsign-iam-own-');
  const store = srv.store;
  const { certificateArn } = store.importCertificate(ME, makeCertificate(srv.dir, 'ec'));
  store.putSigningProfile(ME, {
    profileName: 'fw',
    platformId: 'AmazonFreeRTOS-Default',
    signingMaterial: { certificateArn },
  });
  for (const b of ['src', 'dst']) {
    store.buckets.createBucket(ACCOUNT, b);
    store.buckets.putBucketVersioning(ACCOUNT, b, 'Enabled');
  }
  const v = store.buckets.putObject(ACCOUNT, 'src', 'fw.bin', new Uint8Array(256)).versionId;
  ({ jobId } = await store.startSigningJob(ME, {
    source: { s3: { bucketName: 'src', key: 'fw.bin', version: v } },
    destination: { s3: { bucketName: 'dst', prefix: 'signed/' } },
    profileName: 'fw',
    clientRequestToken: 'one',
  }));
  signedKey = store.describeSigningJob(ME, { jobId }).signedObject!.s3.key!;
  store.audit.checkpoint();
  await user('nobody');
  await user('auditor', example('auditor'));
  await user(
    'no-listing',
    policy(
      { Effect: 'Allow', Action: 'fwsign:*', Resource: '*' },
      { Effect: 'Deny', Action: 'fwsign:ListAuditEntries', Resource: LOG },
    ),
  );
  await user(
    'describer',
    policy({ Effect: 'Allow', Action: 'signer:DescribeSigningJob', Resource: '*' }),
  );
  await user('ci', example('ci-signer'));
});
afterAll(async () => {
  await srv?.close();
});

const get = async (who: string, path: string, query: Record<string, string> = {}) => {
  const r = await signedFetch(srv.url, {
    method: 'GET',
    path,
    service: 'signer',
    query,
    creds: users[who]!,
  });
  const text = await r.text();
  return {
    status: r.status,
    code: r.headers.get('x-amzn-errortype'),
    message: r.status === 200 ? undefined : (JSON.parse(text) as { message: string }).message,
    text,
  };
};
const AUDIT: Array<[string, string, Record<string, string>]> = [
  ['fwsign:GetAuditCheckpoint', '/_fwsign/audit/checkpoint', {}],
  ['fwsign:GetAuditConsistencyProof', '/_fwsign/audit/consistency', { from: '1', to: '2' }],
  ['fwsign:GetAuditInclusionProof', '/_fwsign/audit/proof', { index: '0' }],
  ['fwsign:ListAuditEntries', '/_fwsign/audit/entries', {}],
];
const userArn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;

describe("the transparency log's routes for IAM principals", { timeout: 60_000 }, () => {
  it.each(AUDIT)('%s: refused to a user with no policy', async (action, path, query) => {
    expect(await get('nobody', path, query)).toMatchObject({
      status: 403,
      code: 'AccessDeniedException',
      message: `User: ${userArn('nobody')} is not authorized to perform: ${action} on resource: ${LOG} because no identity-based policy allows the ${action} action`,
    });
  });

  it("each read is served to the README's auditor", async () => {
    for (const [, path, query] of AUDIT)
      expect((await get('auditor', path, query)).status).toBe(200);
    const listed = JSON.parse((await get('auditor', '/_fwsign/audit/entries')).text) as {
      entries: Array<{ entry: { kind: string } }>;
    };
    expect(listed.entries.map((e) => e.entry.kind)).toContain('job.succeed');
  });

  it('an explicit deny of one read leaves the others', async () => {
    expect((await get('no-listing', '/_fwsign/audit/checkpoint')).status).toBe(200);
    expect(await get('no-listing', '/_fwsign/audit/entries')).toMatchObject({
      status: 403,
      code: 'AccessDeniedException',
      message: `User: ${userArn('no-listing')} is not authorized to perform: fwsign:ListAuditEntries on resource: ${LOG} with an explicit deny in an identity-based policy`,
    });
  });
});

describe('the OTA job document for IAM principals', { timeout: 60_000 }, () => {
  const path = () => `/_fwsign/signing-jobs/${jobId}/ota-job-document`;
  const FILE = {
    filepath: '/firmware/update.bin',
    certfile: '/certs/codesign.crt',
    streamname: 'AFR_OTA-fw',
  };

  it('needs signer:DescribeSigningJob on the job and s3:GetObject on the signed object', async () => {
    expect(await get('nobody', path(), FILE)).toMatchObject({
      status: 403,
      code: 'AccessDeniedException',
      message: `User: ${userArn('nobody')} is not authorized to perform: signer:DescribeSigningJob on resource: arn:aws:signer:${REGION}:${ACCOUNT}:/signing-jobs/${jobId} because no identity-based policy allows the signer:DescribeSigningJob action`,
    });
    expect(await get('describer', path(), FILE)).toMatchObject({
      status: 403,
      code: 'AccessDeniedException',
      message: `User: ${userArn('describer')} is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::dst/${signedKey} because no identity-based policy allows the s3:GetObject action`,
    });
    const ci = await get('ci', path(), FILE);
    expect(ci.status).toBe(200);
    expect(JSON.parse(ci.text)).toHaveProperty('afr_ota.files.0.filepath', FILE.filepath);
  });
});
