/** What the IAM benches share: a signing set-up and an IAM user whose policies are evaluated on every call. */
import { SignerStore } from '@fwsign/store';
import type { Credentials } from './api-client.js';
import { BENCH_ACCOUNT as ACCOUNT, setUpSigning } from './signing-setup.js';

/** The signing set-up with the profile tagged team=fw, and the IAM user with its policies; the user's key. */
export async function setUpIamUser(dir: string): Promise<{ versionId: string; user: Credentials }> {
  const { versionId } = await setUpSigning(dir, { team: 'fw' });
  const doc = (...statements: object[]) =>
    JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const store = SignerStore.open({ dataDir: dir });
  try {
    const iam = store.iam;
    await iam.createUser(ACCOUNT, { UserName: 'ci' });
    await iam.putUserPolicy(ACCOUNT, {
      UserName: 'ci',
      PolicyName: 'sign',
      PolicyDocument: doc(
        {
          Effect: 'Allow',
          Action: 'signer:StartSigningJob',
          Resource: 'arn:aws:signer:*:*:/signing-profiles/*',
          Condition: { StringEquals: { 'aws:ResourceTag/team': 'fw' } },
        },
        { Effect: 'Deny', Action: 'signer:RevokeSignature', Resource: '*' },
      ),
    });
    await iam.createGroup(ACCOUNT, { GroupName: 'builders' });
    await iam.addUserToGroup(ACCOUNT, { GroupName: 'builders', UserName: 'ci' });
    await iam.putGroupPolicy(ACCOUNT, {
      GroupName: 'builders',
      PolicyName: 'read',
      PolicyDocument: doc({ Effect: 'Allow', Action: 'signer:Describe*', Resource: '*' }),
    });
    const { Policy } = await iam.createPolicy(ACCOUNT, {
      PolicyName: 'objects',
      PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }),
    });
    await iam.attachUserPolicy(ACCOUNT, { UserName: 'ci', PolicyArn: Policy.Arn });
    const { AccessKey } = await iam.createAccessKey(ACCOUNT, { UserName: 'ci' });
    return {
      versionId,
      user: { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey },
    };
  } finally {
    store.close();
  }
}
