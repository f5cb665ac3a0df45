import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SignerServer } from '@fwsign/api';
import { parseMasterKey, SignerStore, storeContract } from '@fwsign/store';
import { postgresSkipReason, startPostgres } from '@fwsign/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { fwsign, fwsignWithEnv, tempDir } from '../helpers.js';

const pgSkip = postgresSkipReason();
if (pgSkip) console.warn(pgSkip);

const tmp = tempDir();
afterAll(tmp.cleanup);

describe('fwsign master-key rotate', () => {
  it('re-seals the data dir under a new 0600 master.key without printing it; the keys still open', async () => {
    const dataDir = join(tmp.dir, 'data');
    const made = await fwsign(
      tmp.dir,
      'keys',
      'create',
      '--algorithm',
      'ecdsa-p256',
      '--subject',
      'CN=rotate',
      '--key-out',
      'k.pem',
      '--cert-out',
      'c.pem',
    );
    expect(made.code, made.stderr).toBe(0);
    const id = { accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root' };
    const store = SignerStore.open({ dataDir });
    const { certificateArn } = store.importCertificate(id, {
      certificate: readFileSync(join(tmp.dir, 'c.pem'), 'utf8'),
      privateKey: readFileSync(join(tmp.dir, 'k.pem'), 'utf8'),
    });
    store.close();
    const before = readFileSync(join(dataDir, 'master.key'), 'utf8');

    const r = await fwsign(tmp.dir, 'master-key', 'rotate', '--data-dir', 'data');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(
      `re-sealed 1 private key under a new master key, written to ${join(dataDir, 'master.key')}`,
    );
    const after = readFileSync(join(dataDir, 'master.key'), 'utf8');
    expect(after).not.toBe(before);
    expect(r.stdout).not.toContain(after.trim());
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);

    const reopened = SignerStore.open({ dataDir });
    try {
      reopened.putSigningProfile(id, {
        profileName: 'rotated',
        platformId: 'AmazonFreeRTOS-Default',
        signingMaterial: { certificateArn },
      });
      for (const b of ['src', 'dst']) {
        reopened.buckets.createBucket(id.accountId, `${b}-bucket`);
        reopened.buckets.putBucketVersioning(id.accountId, `${b}-bucket`, 'Enabled');
      }
      const v = reopened.buckets.putObject(
        id.accountId,
        'src-bucket',
        'fw.bin',
        new Uint8Array(64),
      );
      // Signing unseals the private key under the new master key.
      const { jobId } = await reopened.startSigningJob(id, {
        source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version: v.versionId } },
        destination: { s3: { bucketName: 'dst-bucket' } },
        profileName: 'rotated',
        clientRequestToken: 'after-rotate',
      });
      expect(reopened.describeSigningJob(id, { jobId }).status).toBe('Succeeded');
    } finally {
      reopened.close();
    }

    const missing = await fwsign(tmp.dir, 'master-key', 'rotate', '--data-dir', 'nowhere');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no data dir to rotate the key of');
  });
});

describe.skipIf(pgSkip !== undefined)('fwsign master-key rotate --database', () => {
  it(
    're-seals a PostgreSQL store in one go, logged; servers then need the new key',
    { timeout: 120_000 },
    async () => {
      const pg = await startPostgres();
      let running: SignerServer | undefined;
      try {
        const url = pg.createDatabase('rotate_cli');
        const made = await fwsign(tmp.dir, 'keys', 'create', '--algorithm', 'ecdsa-p256', '--subject', 'CN=pg', '--key-out', 'pk.pem', '--cert-out', 'pc.pem'); // prettier-ignore
        expect(made.code, made.stderr).toBe(0);
        const oldHex = 'ab'.repeat(32);
        const id = { accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root' };
        // A server's data dir holds no key: FWSIGN_MASTER_KEY, as the servers are given it.
        const server = join(tmp.dir, 'server');
        const store = SignerStore.open({ dataDir: server, database: url, masterKey: parseMasterKey(oldHex, 'test') }); // prettier-ignore
        store.importCertificate(id, {
          certificate: readFileSync(join(tmp.dir, 'pc.pem'), 'utf8'),
          privateKey: readFileSync(join(tmp.dir, 'pk.pem'), 'utf8'),
        });
        // A server on the old key, left running through the rotation.
        running = await SignerServer.open({ dataDir: server, port: 0, store: storeContract(store), accessLog: false }); // prettier-ignore
        const { url: endpoint } = await running.listen();

        const noKey = await fwsign(tmp.dir, 'master-key', 'rotate', '--database', url);
        expect(noKey.code).not.toBe(0);
        expect(noKey.stderr).toContain('FWSIGN_MASTER_KEY is not set and no data dir holding master.key was given'); // prettier-ignore
        const env = { FWSIGN_MASTER_KEY: oldHex };
        const noOut = await fwsignWithEnv(tmp.dir, env, 'master-key', 'rotate', '--database', url);
        expect(noOut.code).not.toBe(0);
        expect(noOut.stderr).toContain(
          'the master key comes from FWSIGN_MASTER_KEY: give a new file',
        );

        // FWSIGN_DATABASE names the database as --database does.
        const r = await fwsignWithEnv(tmp.dir, { ...env, FWSIGN_DATABASE: url }, 'master-key', 'rotate', '--out', 'pg-new.key'); // prettier-ignore
        expect([r.code, r.stderr]).toEqual([0, '']);
        const keyFile = join(tmp.dir, 'pg-new.key');
        // The certificate's private key (the log's key is made at its first checkpoint).
        expect(r.stdout).toContain(`re-sealed 1 private key under a new master key, written to ${keyFile}`); // prettier-ignore
        expect(r.stdout).toContain('restart every server on the database with it');
        const newHex = readFileSync(keyFile, 'utf8').trim();
        expect(r.stdout).not.toContain(newHex);
        expect(statSync(keyFile).mode & 0o777).toBe(0o600);

        // It seals nothing more under the old key: a 500 that says to restart it with the new one.
        const aws = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1' }; // prettier-ignore
        const refused = await fwsignWithEnv(tmp.dir, aws, 'import-certificate', '--certificate', 'fileb://pc.pem', '--private-key', 'fileb://pk.pem', '--endpoint-url', endpoint); // prettier-ignore
        expect([refused.code, refused.stderr]).toEqual([254, expect.stringMatching(/^An error occurred \(InternalServiceErrorException\) when calling the ImportCertificate operation: the master key was rotated \(fwsign master-key rotate\) since this server opened postgres:.*: restart it with the new key/)]); // prettier-ignore
        await running.close();
        running = undefined;

        expect(() => SignerStore.open({ dataDir: server, database: url, masterKey: parseMasterKey(oldHex, 'test') })).toThrow(/this is not the master key the 1 private key\(s\) in postgres:/); // prettier-ignore
        const log = await fwsign(tmp.dir, 'audit', 'log', '--database', url);
        expect(log.stdout.trimEnd().split('\n').map((l) => l.split('\t')[2]).at(-1)).toBe('master-key.rotate'); // prettier-ignore
        const checkpoint = await fwsignWithEnv(tmp.dir, { FWSIGN_MASTER_KEY: newHex }, 'audit', 'checkpoint', '--database', url); // prettier-ignore
        expect([checkpoint.code, checkpoint.stderr]).toEqual([0, '']);
      } finally {
        await running?.close();
        await pg.stop();
      }
    },
  );
});
