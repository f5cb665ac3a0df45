/**
 * What authorization caches (resolved keys and policies in the store, profile facts in the API)
 * never outlives a change for longer than the store's freshness rule allows: a write made by this
 * process — through the server, or by another store it opened on the same data directory — takes
 * effect on the very next request; one committed by another process (a `fwsign` command on the
 * SQLite file, another server on PostgreSQL) within OTHER_PROCESS_WRITES_SEEN_WITHIN_MS (1 s),
 * which the test waits for by asking again, not by timing.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  AttachUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetSigningProfileCommand, TagResourceCommand } from '@aws-sdk/client-signer';
import { SignerStore } from '@fwsign/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate, REGION, run, startStoreServer } from './helpers.js';
import { ACCOUNT, iamClients, policy, type Creds } from './iam-fixture.js';

const ME = { accountId: ACCOUNT, principalArn: `arn:aws:iam::${ACCOUNT}:root` };
const PROFILE_ARN = `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/fw`;

let srv: Awaited<ReturnType<typeof startStoreServer>>;
/** Another connection to the same database, with caches of its own, in this process. */
let other: SignerStore;
const clients = iamClients(() => srv.url);
let creds: Creds;
let policyArn: string;

beforeAll(async () => {
  srv = await startStoreServer('fwsign-iam-fresh-');
  const cert = makeCertificate(srv.dir, 'ec');
  const { certificateArn } = srv.store.importCertificate(ME, cert);
  srv.store.putSigningProfile(ME, {
    profileName: 'fw',
    platformId: 'AmazonFreeRTOS-Default',
    signingMaterial: { certificateArn },
    tags: { team: 'fw' },
  });
  const iam = clients.iam();
  await iam.send(new CreateUserCommand({ UserName: 'ci' }));
  const { Policy } = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'read-fw',
      PolicyDocument: policy({
        Effect: 'Allow',
        Action: 'signer:GetSigningProfile',
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceTag/team': 'fw' } },
      }),
    }),
  );
  policyArn = Policy!.Arn!;
  await iam.send(new AttachUserPolicyCommand({ UserName: 'ci', PolicyArn: policyArn }));
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'ci' }))).AccessKey!;
  creds = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
  other = SignerStore.open({ dataDir: join(srv.dir, 'data') });
});
afterAll(async () => {
  clients.destroy();
  other?.close();
  await srv?.close();
});

const read = () => clients.signer(creds).send(new GetSigningProfileCommand({ profileName: 'fw' }));
const NOT_ALLOWED = [
  'AccessDeniedException',
  403,
  `User: arn:aws:iam::${ACCOUNT}:user/ci is not authorized to perform: signer:GetSigningProfile on resource: ${PROFILE_ARN} because no identity-based policy allows the signer:GetSigningProfile action`,
];

const INVALID_KEY = [
  'UnrecognizedClientException',
  403,
  'The security token included in the request is invalid.',
];

/** `fixtures/iam-other-process.ts <step> <args>`, run as its own process on the server's data directory. */
const inAnotherProcess = (...args: string[]) =>
  run(process.execPath, [
    '--import',
    'tsx',
    fileURLToPath(new URL('./fixtures/iam-other-process.ts', import.meta.url)),
    join(srv.dir, 'data'),
    ...args,
  ]);

/** The server's answer to a read of the profile: its name, or the error's name, status and message. */
const answer = () =>
  read().then(
    (p) => [p.profileName],
    (e: Error & { $metadata: { httpStatusCode?: number } }) => [
      e.name,
      e.$metadata.httpStatusCode,
      e.message,
    ],
  );

/** The answer once it is `expected`, asking every 50 ms; the last one after 30 s. */
async function eventually(expected: unknown[]): Promise<unknown[]> {
  const until = Date.now() + 30_000;
  for (;;) {
    const got = await answer();
    if (JSON.stringify(got) === JSON.stringify(expected) || Date.now() > until) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe(
  'authorization sees a change committed by another process within the bound',
  { timeout: 120_000 },
  () => {
    it("a key made inactive, a profile's tags changed, and both undone", async () => {
      expect(await answer()).toEqual(['fw']);
      await inAnotherProcess('key', creds.accessKeyId, 'Inactive');
      expect(await eventually(INVALID_KEY)).toEqual(INVALID_KEY);
      await inAnotherProcess('key', creds.accessKeyId, 'Active', 'tag', PROFILE_ARN, 'web');
      expect(await eventually(NOT_ALLOWED)).toEqual(NOT_ALLOWED);
      await inAnotherProcess('tag', PROFILE_ARN, 'fw');
      expect(await eventually(['fw'])).toEqual(['fw']);
    });
  },
);

describe(
  'authorization sees a change made by this process on the next request',
  { timeout: 60_000 },
  () => {
    it("a profile's tags, changed by another store of this process and through the server", async () => {
      expect((await read()).profileName).toBe('fw');
      // Twice: the second answer comes from the cached facts, which the untag must then replace.
      expect((await read()).profileName).toBe('fw');
      other.untagResource(ME, { resourceArn: PROFILE_ARN, tagKeys: ['team'] });
      expect(await answer()).toEqual(NOT_ALLOWED);
      other.tagResource(ME, { resourceArn: PROFILE_ARN, tags: { team: 'fw' } });
      expect((await read()).profileName).toBe('fw');
      await clients
        .signer()
        .send(new TagResourceCommand({ resourceArn: PROFILE_ARN, tags: { team: 'web' } }));
      expect(await answer()).toEqual(NOT_ALLOWED);
      other.tagResource(ME, { resourceArn: PROFILE_ARN, tags: { team: 'fw' } });
      expect((await read()).profileName).toBe('fw');
    });

    it('a policy detached and a key made inactive by another store of this process', async () => {
      expect((await read()).profileName).toBe('fw');
      await other.iam.detachUserPolicy(ACCOUNT, { UserName: 'ci', PolicyArn: policyArn });
      expect(await answer()).toEqual(NOT_ALLOWED);
      await other.iam.attachUserPolicy(ACCOUNT, { UserName: 'ci', PolicyArn: policyArn });
      expect((await read()).profileName).toBe('fw');
      await other.iam.updateAccessKey(ACCOUNT, {
        UserName: 'ci',
        AccessKeyId: creds.accessKeyId,
        Status: 'Inactive',
      });
      expect(await answer()).toEqual(INVALID_KEY);
      await other.iam.deleteAccessKey(ACCOUNT, { UserName: 'ci', AccessKeyId: creds.accessKeyId });
      expect((await answer())[0]).toBe('UnrecognizedClientException');
    });
  },
);
