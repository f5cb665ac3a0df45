/**
 * SignPayload and GetRevocationStatus through the Debian AWS CLI and boto3, whose botocore predates
 * both: with AWS_DATA_PATH at the vendored model (model/aws-data, laid out as botocore's data
 * directory) they gain `sign-payload`, `get-revocation-status` and the `signer-data` service.
 * GetRevocationStatus's `data-` host prefix is exercised with each client's own way around it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GetRevocationStatusCommand,
  PutSigningProfileCommand,
  SignPayloadCommand,
  SignerClient,
} from '@aws-sdk/client-signer';
import type { SignerStore } from '@fwsign/store';
import { NOTARY_PAYLOAD_TYPE, certificateHashes, verifyJwsEnvelope } from '@fwsign/signing-engine';
import {
  DEV,
  PYTHON,
  REGION,
  awsCliEnv,
  awsJson,
  awsStderr,
  run,
  startStoreServer,
} from './helpers.js';

const AWS_DATA_PATH = fileURLToPath(new URL('../model/aws-data', import.meta.url));
const ACCOUNT = { accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root' };
/** A Notary payload: the descriptor of the OCI manifest being signed. */
const PAYLOAD = JSON.stringify({
  targetArtifact: {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: 'sha256:73c803930ea3ba1e54bc25c2bdc53edd0284c62ed651fe7b00369da519a3c333',
    size: 16724,
  },
});

let tmp: string;
let store: SignerStore;
let h: Awaited<ReturnType<typeof startStoreServer>>;
let url: string;
let port: number;
let env: NodeJS.ProcessEnv;
let sdk: SignerClient;

/** What a verifier sends for one signature: its attributes and the whole chain's hashes. */
interface Signed {
  jobId: string;
  args: string[];
  query: {
    signatureTimestamp: Date;
    platformId: string;
    profileVersionArn: string;
    jobArn: string;
    certificateHashes: string[];
  };
}

const aws = (args: string[], extra: NodeJS.ProcessEnv = {}, bin?: string) =>
  awsJson(url, { ...env, ...extra }, args, bin);
const awsFails = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
  awsStderr(url, { ...env, ...extra }, args);

/**
 * What a verifier asks GetRevocationStatus about one SignPayload answer (whichever client got it):
 * the envelope checked against the account's root, its attributes and the whole chain's hashes.
 */
function signedBy(out: {
  jobId: string;
  metadata: Record<string, string>;
  signature: Uint8Array;
}): Signed {
  const v = verifyJwsEnvelope({
    envelope: out.signature,
    contentType: NOTARY_PAYLOAD_TYPE,
    trustedRoots: [store.rootCertificate(ACCOUNT)],
  });
  expect(v).toMatchObject({ ok: true });
  const query = {
    signatureTimestamp: v.attributes!.signingTime,
    platformId: 'Notation-OCI-SHA384-ECDSA',
    profileVersionArn: out.metadata['com.amazonaws.signer.signingProfileVersion']!,
    jobArn: out.metadata['com.amazonaws.signer.signingJob']!,
    certificateHashes: certificateHashes(v.chainDer!),
  };
  expect(query.jobArn).toBe(`arn:aws:signer:us-east-1:000000000000:/signing-jobs/${out.jobId}`);
  return {
    jobId: out.jobId,
    query,
    args: [
      '--signature-timestamp',
      query.signatureTimestamp.toISOString(),
      '--platform-id',
      query.platformId,
      '--profile-version-arn',
      query.profileVersionArn,
      '--job-arn',
      query.jobArn,
      '--certificate-hashes',
      ...query.certificateHashes,
    ],
  };
}

/** Profiles are made with the SDK: the AWS CLI's start-up is what these tests spend most time on. */
async function notationProfile(profileName: string): Promise<void> {
  await sdk.send(
    new PutSigningProfileCommand({ profileName, platformId: 'Notation-OCI-SHA384-ECDSA' }),
  );
}

beforeAll(async () => {
  h = await startStoreServer('fwsign-api-aws-data-');
  ({ dir: tmp, store, url } = h);
  port = Number(new URL(url).port);
  env = awsCliEnv(tmp);
  sdk = new SignerClient({ endpoint: url, region: REGION, credentials: DEV });
}, 60_000);

afterAll(async () => {
  sdk?.destroy();
  await h?.close();
});

describe('the AWS CLI with AWS_DATA_PATH at the vendored model', { timeout: 300_000 }, () => {
  it('signs with sign-payload (unknown to it without the model) and answers get-revocation-status through signer-data', async () => {
    await notationProfile('cli_notation');
    expect(
      await awsFails([
        'signer',
        'sign-payload',
        '--profile-name',
        'cli_notation',
        '--payload',
        'x',
        '--payload-format',
        NOTARY_PAYLOAD_TYPE,
      ]),
    ).toMatch(/Invalid choice/);
    writeFileSync(join(tmp, 'payload.json'), PAYLOAD);
    const out = await aws(
      [
        'signer',
        'sign-payload',
        '--profile-name',
        'cli_notation',
        '--payload',
        `fileb://${join(tmp, 'payload.json')}`,
        '--payload-format',
        NOTARY_PAYLOAD_TYPE,
      ],
      { AWS_DATA_PATH },
    );
    const s = signedBy({
      jobId: out.jobId as string,
      metadata: out.metadata as Record<string, string>,
      signature: Buffer.from(out.signature as string, 'base64'),
    });
    // The model's hostPrefix sends `signer get-revocation-status` to data-127.0.0.1, which does
    // not resolve; this AWS CLI predates AWS_DISABLE_HOST_PREFIX_INJECTION.
    expect(
      await awsFails(['signer', 'get-revocation-status', ...s.args], {
        AWS_DATA_PATH,
        AWS_MAX_ATTEMPTS: '1',
      }),
    ).toContain(`http://data-127.0.0.1:${port}/revocations`);
    // AWS's data-plane service carries the same operation without a prefix.
    const status = () =>
      aws(['signer-data', 'get-revocation-status', ...s.args], { AWS_DATA_PATH });
    expect(await status()).toEqual({ revokedEntities: [] });
    await aws(['signer', 'revoke-signature', '--job-id', s.jobId, '--reason', 'leaked']);
    expect(await status()).toEqual({ revokedEntities: [s.query.jobArn] });
  });

  it('refuses another payload format with the ValidationException AWS names', async () => {
    expect(
      await awsFails(
        [
          'signer',
          'sign-payload',
          '--profile-name',
          'cli_notation',
          '--payload',
          'fileb:///etc/hostname',
          '--payload-format',
          'application/json',
        ],
        { AWS_DATA_PATH },
      ),
    ).toMatch(
      /ValidationException.*the single valid type is application\/vnd.cncf.notary.payload.v1\+json/,
    );
  });
});

describe('boto3 with AWS_DATA_PATH at the vendored model', { timeout: 120_000 }, () => {
  const python = async (script: string, ...args: string[]) =>
    JSON.parse(
      (
        await run(PYTHON, ['-c', script, url, ...args], {
          env: { ...env, AWS_DATA_PATH, AWS_MAX_ATTEMPTS: '1' },
          timeout: 60_000,
        })
      ).stdout,
    ) as Record<string, unknown>;

  it('sign_payload, and get_revocation_status with Config(inject_host_prefix=False) or signer-data', async () => {
    await notationProfile('boto_notation');
    const signed = (await python(
      `
import base64, json, sys, boto3
r = boto3.client('signer', endpoint_url=sys.argv[1], region_name='us-east-1').sign_payload(
    profileName='boto_notation', payload=sys.argv[2].encode(),
    payloadFormat='application/vnd.cncf.notary.payload.v1+json')
print(json.dumps({'jobId': r['jobId'], 'metadata': r['metadata'],
                  'signature': base64.b64encode(r['signature']).decode()}))
`,
      PAYLOAD,
    )) as { jobId: string; metadata: Record<string, string>; signature: string };
    const { query } = signedBy({ ...signed, signature: Buffer.from(signed.signature, 'base64') });
    const status = await python(
      `
import json, sys, boto3, botocore.exceptions
from botocore.config import Config
url, q, job = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
kw = dict(endpoint_url=url, region_name='us-east-1')
try:
    boto3.client('signer', **kw).get_revocation_status(**q)
    prefixed = 'reached the server'
except botocore.exceptions.EndpointConnectionError as e:
    prefixed = str(e)
bare = boto3.client('signer', config=Config(inject_host_prefix=False), **kw)
before = bare.get_revocation_status(**q)['revokedEntities']
bare.revoke_signature(jobId=job, reason='leaked')
print(json.dumps({'prefixed': prefixed, 'before': before,
                  'after': bare.get_revocation_status(**q)['revokedEntities'],
                  'data': boto3.client('signer-data', **kw).get_revocation_status(**q)['revokedEntities']}))
`,
      JSON.stringify(query),
      signed.jobId,
    );
    expect(status).toEqual({
      prefixed: expect.stringContaining(`http://data-127.0.0.1:${port}/revocations`),
      before: [],
      after: [query.jobArn],
      data: [query.jobArn],
    });
  });
});

describe('@aws-sdk/client-signer without disableHostPrefix', { timeout: 60_000 }, () => {
  it('is served when the prefixed name reaches the server: the Host header is not checked against a name', async () => {
    // What a user's DNS or /etc/hosts entry for data-<host> does, done in the agent's lookup.
    const lookup: LookupFunction = (_host, opts, cb) =>
      opts.all
        ? (cb as (e: null, a: LookupAddress[]) => void)(null, [{ address: '127.0.0.1', family: 4 }])
        : cb(null, '127.0.0.1', 4);
    const hosts: string[] = [];
    const agent = new Agent({ lookup });
    const client = new SignerClient({
      endpoint: `http://localhost:${port}`,
      region: REGION,
      credentials: DEV,
      requestHandler: { httpAgent: agent },
    });
    client.middlewareStack.add(
      (next) => async (args) => {
        hosts.push((args.request as { hostname: string }).hostname);
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    try {
      await notationProfile('sdk_prefixed');
      const r = await client.send(
        new SignPayloadCommand({
          profileName: 'sdk_prefixed',
          payload: Buffer.from(PAYLOAD),
          payloadFormat: NOTARY_PAYLOAD_TYPE,
        }),
      );
      const { query } = signedBy({
        jobId: r.jobId!,
        metadata: r.metadata!,
        signature: r.signature!,
      });
      const out = await client.send(new GetRevocationStatusCommand(query));
      expect(out.revokedEntities).toEqual([]);
      expect(hosts).toEqual(['localhost', 'data-localhost']);
    } finally {
      client.destroy();
      agent.destroy();
    }
  });
});

/**
 * botocore and the AWS CLI released since early 2025 have a switch: AWS_DISABLE_HOST_PREFIX_INJECTION
 * (config file: disable_host_prefix_injection). Debian's botocore predates it, so this runs where
 * PATH has a newer python3 botocore, and an `aws` (v1) on that same botocore.
 */
function newerBotocore(): { version: string; aws: boolean } | undefined {
  const py = spawnSync(
    'python3',
    [
      '-c',
      'import botocore, botocore.configprovider as c; print(botocore.__version__ if "disable_host_prefix_injection" in c.BOTOCORE_DEFAUT_SESSION_VARIABLES else "")',
    ],
    { encoding: 'utf8' },
  );
  const version = py.status === 0 ? py.stdout.trim() : '';
  if (!version) return undefined;
  const cli = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  return { version, aws: `${cli.stdout}${cli.stderr}`.includes(`botocore/${version}`) };
}
const newer = newerBotocore();
if (!newer)
  console.log(
    'aws-data.test: skipping AWS_DISABLE_HOST_PREFIX_INJECTION: no python3 on PATH has a botocore that knows it (Debian 12 has 1.29); install a newer boto3/awscli v1 (pip) to run it',
  );

describe.skipIf(!newer)('AWS_DISABLE_HOST_PREFIX_INJECTION=true', { timeout: 120_000 }, () => {
  it('sends boto3 and the AWS CLI to the endpoint as given', async () => {
    await notationProfile('switch_notation');
    const r = await sdk.send(
      new SignPayloadCommand({
        profileName: 'switch_notation',
        payload: Buffer.from(PAYLOAD),
        payloadFormat: NOTARY_PAYLOAD_TYPE,
      }),
    );
    const s = signedBy({ jobId: r.jobId!, metadata: r.metadata!, signature: r.signature! });
    const switched = { AWS_DISABLE_HOST_PREFIX_INJECTION: 'true', AWS_MAX_ATTEMPTS: '1' };
    const { stdout } = await run(
      'python3',
      [
        '-c',
        `import json, sys, boto3
c = boto3.client('signer', endpoint_url=sys.argv[1], region_name='us-east-1')
print(json.dumps(c.get_revocation_status(**json.loads(sys.argv[2]))['revokedEntities']))`,
        url,
        JSON.stringify(s.query),
      ],
      { env: { ...env, ...switched }, timeout: 60_000 },
    );
    expect(JSON.parse(stdout)).toEqual([]);
    if (newer!.aws)
      expect(await aws(['signer', 'get-revocation-status', ...s.args], switched, 'aws')).toEqual({
        revokedEntities: [],
      });
  });
});
