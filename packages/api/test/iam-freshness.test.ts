/**
 * What authorization caches (resolved keys and policies in the store, profile facts in the API)
 * never outlives a change: a write committed by another process on the same data directory — a
 * second store, as `fwsign` commands open one — takes effect on the very next request, as does one
 * made through the server itself.
 */
import { join } from 'node:path';
import {
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  AttachUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetSigningProfileCommand, TagResourceCommand } from '@aws-sdk/client-signer';
import { SignerStore } from '@fwsign/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCertificate, REGION, startStoreServer } from './helpers.js';
import { ACCOUNT, iamClients, policy, type Creds } from './iam-fixture.js';
import { rejection } from './sdk-fixture.js';

const ME = { accountId: ACCOUNT, principalArn: `arn:aws:iam::${ACCOUNT}:root` };
const PROFILE_ARN = `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/fw`;

let srv: Awaited<ReturnType<typeof startStoreServer>>;
/** Another connection to the same database, with caches of its own: another process, to SQLite. */
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
const denied = async () => {
  const e = await rejection(read());
  return [e.name, e.$metadata.httpStatusCode, e.message];
};
const NOT_ALLOWED = [
  'AccessDeniedException',
  403,
  `User: arn:aws:iam::${ACCOUNT}:user/ci is not authorized to perform: signer:GetSigningProfile on resource: ${PROFILE_ARN} because no identity-based policy allows the signer:GetSigningProfile action`,
];

describe(
  'authorization sees every committed change on the next request',
  { timeout: 60_000 },
  () => {
    it("a profile's tags, changed by another process and through the server", async () => {
      expect((await read()).profileName).toBe('fw');
      // Twice: the second answer comes from the cached facts, which the untag must then replace.
      expect((await read()).profileName).toBe('fw');
      other.untagResource(ME, { resourceArn: PROFILE_ARN, tagKeys: ['team'] });
      expect(await denied()).toEqual(NOT_ALLOWED);
      other.tagResource(ME, { resourceArn: PROFILE_ARN, tags: { team: 'fw' } });
      expect((await read()).profileName).toBe('fw');
      await clients
        .signer()
        .send(new TagResourceCommand({ resourceArn: PROFILE_ARN, tags: { team: 'web' } }));
      expect(await denied()).toEqual(NOT_ALLOWED);
      other.tagResource(ME, { resourceArn: PROFILE_ARN, tags: { team: 'fw' } });
      expect((await read()).profileName).toBe('fw');
    });

    it('a policy detached and a key made inactive by another process', async () => {
      expect((await read()).profileName).toBe('fw');
      await other.iam.detachUserPolicy(ACCOUNT, { UserName: 'ci', PolicyArn: policyArn });
      expect(await denied()).toEqual(NOT_ALLOWED);
      await other.iam.attachUserPolicy(ACCOUNT, { UserName: 'ci', PolicyArn: policyArn });
      expect((await read()).profileName).toBe('fw');
      await other.iam.updateAccessKey(ACCOUNT, {
        UserName: 'ci',
        AccessKeyId: creds.accessKeyId,
        Status: 'Inactive',
      });
      expect(await denied()).toEqual([
        'UnrecognizedClientException',
        403,
        'The security token included in the request is invalid.',
      ]);
      await other.iam.deleteAccessKey(ACCOUNT, { UserName: 'ci', AccessKeyId: creds.accessKeyId });
      expect((await denied())[0]).toBe('UnrecognizedClientException');
    });
  },
);
