/**
 * Keys in a token behind the server: `fwsign keys create --pkcs11-uri` makes the key in a
 * throw-away SoftHSM token, `fwsign import-certificate --pkcs11-uri` hands the server the key's
 * URI, and signing jobs for both IoT platforms sign through the token. OpenSSL checks the
 * signatures; the data dir holds the URI and no key; a token the server cannot use fails the job
 * with a statusReason, not the request; a token pulled mid-load fails the jobs that needed it and
 * the server signs again once it is back.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { job, startFixture, type Fixture } from './aws-fixture.js';
import { fwsignWithEnv } from './helpers.js';
import {
  createSoftHsm,
  reportSoftHsmSkip,
  softhsmMissing,
  useTokenEnv,
  type SoftHsm,
} from '../../signing-engine/test/softhsm.js';

reportSoftHsmSkip('signing jobs through a PKCS#11 token');

describe.skipIf(softhsmMissing)(
  'signing jobs through a PKCS#11 token (SoftHSM2)',
  { timeout: 60_000 },
  () => {
    let hsm: SoftHsm;
    let f: Fixture;
    let env: Record<string, string>;
    let restoreEnv: (() => void) | undefined;

    beforeAll(async () => {
      hsm = createSoftHsm(['fwsign']);
      env = { FWSIGN_PKCS11_MODULE: hsm.module, FWSIGN_PKCS11_PIN: hsm.pin };
      // The server (in this process) reads the module and PIN from its environment.
      restoreEnv = useTokenEnv(hsm);
      f = await startFixture();
    }, 60_000);
    afterAll(async () => {
      await f?.close();
      hsm?.cleanup();
      restoreEnv?.();
    });

    async function tokenCertificate(
      name: string,
      algorithm: string,
    ): Promise<{ uri: string; cert: string }> {
      const cert = join(f.dir, `${name}.crt`);
      const uri = `pkcs11:token=fwsign;object=${name}`;
      const r = await fwsignWithEnv(f.dir, env, 'keys', 'create', '--pkcs11-uri', uri, '--algorithm', algorithm, '--subject', `CN=${name}`, '--cert-out', cert); // prettier-ignore
      expect(r.code, r.stderr).toBe(0);
      return { uri, cert };
    }

    /** The job's signed object, its signature checked by `openssl dgst -verify` with the certificate's key. */
    function opensslAccepts(jobId: string, cert: string, hash: 'sha256' | 'sha1'): boolean {
      const rows = f.store.buckets.listObjectVersions('000000000000', 'cli-dst', {
        prefix: `signed/${jobId}`,
      });
      const key = (rows as unknown as { versions: Array<{ key: string }> }).versions[0]!.key;
      const signed = JSON.parse(
        Buffer.from(f.store.buckets.getObject('000000000000', 'cli-dst', key).body).toString(
          'utf8',
        ),
      ) as { signature: string; payload: string };
      const tag = jobId.slice(0, 8);
      const pub = join(f.dir, `${tag}.pub`);
      writeFileSync(join(f.dir, `${tag}.sig`), Buffer.from(signed.signature, 'base64'));
      writeFileSync(join(f.dir, `${tag}.bin`), Buffer.from(signed.payload, 'base64'));
      spawnSync('openssl', ['x509', '-in', cert, '-pubkey', '-noout', '-out', pub]);
      const r = spawnSync('openssl', ['dgst', `-${hash}`, '-verify', pub, '-signature', join(f.dir, `${tag}.sig`), join(f.dir, `${tag}.bin`)], { encoding: 'utf8' }); // prettier-ignore
      return r.status === 0 && r.stdout.includes('Verified OK');
    }

    it.each([
      ['ec-release', 'ecdsa-p256', 'AmazonFreeRTOS-Default', 'sha256'],
      ['ti-release', 'rsa-2048', 'AmazonFreeRTOS-TI-CC3220SF', 'sha1'],
    ] as const)(
      '%s (%s): imported by URI, a %s job signs through the token and OpenSSL verifies it',
      async (name, algorithm, platform, hash) => {
        const { uri, cert } = await tokenCertificate(name, algorithm);
        const imported = await f.json('import-certificate', '--certificate', `fileb://${cert}`, '--pkcs11-uri', uri); // prettier-ignore
        const arn = imported.CertificateArn as string;
        expect(arn).toMatch(/^arn:aws:acm:us-east-1:000000000000:certificate\//);
        await f.json('put-signing-profile', '--profile-name', name.replace('-', '_'), '--platform-id', platform, '--signing-material', `certificateArn=${arn}`); // prettier-ignore
        const jobId = await job(f, name.replace('-', '_'));
        expect(opensslAccepts(jobId, cert, hash)).toBe(true);

        const db = new Database(join(f.dir, 'data', 'signer.db'), { readonly: true });
        try {
          const row = db
            .prepare('SELECT key_ciphertext, pkcs11_uri FROM certificates WHERE arn = ?')
            .get(arn) as { key_ciphertext: Buffer | null; pkcs11_uri: string };
          expect(row.key_ciphertext).toBeNull();
          expect(row.pkcs11_uri).toMatch(new RegExp(`^pkcs11:token=fwsign;object=${name}$`));
        } finally {
          db.close();
        }
        expect(readFileSync(join(f.dir, 'data', 'signer.db')).includes(hsm.pin)).toBe(false);
      },
    );

    it('refuses a key that is not the certificate’s, a module-path or PIN in the URI, and an absent key', async () => {
      const other = await tokenCertificate('other', 'ecdsa-p256');
      let r = await f.run('import-certificate', '--certificate', `fileb://${other.cert}`, '--pkcs11-uri', 'pkcs11:token=fwsign;object=ec-release'); // prettier-ignore
      expect(r.code).toBe(254);
      expect(r.stderr).toMatch(
        /ValidationException.*the key token "fwsign", object "ec-release" in the token is not the key of certificate CN=other/,
      );
      r = await f.run('import-certificate', '--certificate', `fileb://${other.cert}`, '--pkcs11-uri', `pkcs11:token=fwsign;object=other?module-path=/tmp/evil.so&pin-value=1`); // prettier-ignore
      expect(r.code).toBe(254);
      expect(r.stderr).toContain('module-path, pin-value cannot be given to the server');
      r = await f.run('import-certificate', '--certificate', `fileb://${other.cert}`, '--pkcs11-uri', 'pkcs11:token=fwsign;object=missing'); // prettier-ignore
      expect(r.code).toBe(254);
      expect(r.stderr).toContain('no private key matches token "fwsign", object "missing"');
      r = await f.run('import-certificate', '--certificate', `fileb://${other.cert}`, '--pkcs11-uri', 'pkcs11:token=fwsign;object=other', '--private-key', `fileb://${other.cert}`); // prettier-ignore
      expect(r.code).toBe(252);
    });

    it('a key deleted from the token fails the job with a statusReason; the server answers on', async () => {
      const { uri, cert } = await tokenCertificate('doomed', 'ecdsa-p256');
      const arn = (await f.json('import-certificate', '--certificate', `fileb://${cert}`, '--pkcs11-uri', uri)).CertificateArn as string; // prettier-ignore
      await f.json('put-signing-profile', '--profile-name', 'doomed', '--platform-id', 'AmazonFreeRTOS-Default', '--signing-material', `certificateArn=${arn}`); // prettier-ignore
      await job(f, 'doomed');
      hsm.pkcs11Tool(['--token-label', 'fwsign', '--login', '--pin', hsm.pin, '--delete-object', '--type', 'privkey', '--label', 'doomed']); // prettier-ignore
      const version = f.object('cli-src', 'fw.bin', new Uint8Array(64).fill(1));
      const started = await f.json('start-signing-job', '--profile-name', 'doomed', '--source', `s3={bucketName=cli-src,key=fw.bin,version=${version}}`, '--destination', 's3={bucketName=cli-dst,prefix=signed/}'); // prettier-ignore
      const d = await f.json('describe-signing-job', '--job-id', started.jobId);
      expect(d.status).toBe('Failed');
      expect(d.statusReason).toMatch(/^Signing failed: PKCS#11: .*doomed/);
      // Other profiles are unaffected.
      await job(f, 'ec_release');
    });

    it('token pulled mid-load: jobs fail cleanly with a statusReason, the server stays up, and signs again once it is back', async () => {
      const version = f.object('cli-src', 'load.bin', new Uint8Array(4096).fill(3));
      const start = () =>
      f.json('start-signing-job', '--profile-name', 'ec_release', '--source', `s3={bucketName=cli-src,key=load.bin,version=${version}}`, '--destination', 's3={bucketName=cli-dst,prefix=load/}'); // prettier-ignore
      const outcome = async (jobId: string) => {
        const d = await f.json('describe-signing-job', '--job-id', jobId);
        return { status: d.status as string, reason: (d.statusReason ?? '') as string };
      };
      const [token] = readdirSync(hsm.tokenDir);
      const inFlight = Array.from({ length: 8 }, () => start());
      await new Promise((r) => setImmediate(r));
      renameSync(join(hsm.tokenDir, token!), join(hsm.dir, 'pulled'));
      const afterPull = [start(), start()];
      const all = await Promise.all([...inFlight, ...afterPull]);
      const outcomes = await Promise.all(all.map((j) => outcome(j.jobId as string)));
      for (const o of outcomes) {
        expect(['Succeeded', 'Failed']).toContain(o.status);
        if (o.status === 'Failed') expect(o.reason).toMatch(/^Signing failed: PKCS#11: /);
      }
      // Started once the token was gone: they cannot have signed.
      for (const o of outcomes.slice(-2)) {
        expect(o.status).toBe('Failed');
        expect(o.reason).toContain('no token matches token "fwsign"');
      }
      // The server answers everything else meanwhile.
      expect((await f.json('list-signing-profiles')).profiles.length).toBeGreaterThan(0);

      renameSync(join(hsm.dir, 'pulled'), join(hsm.tokenDir, token!));
      // The module looks for tokens again at most once a second.
      await new Promise((r) => setTimeout(r, 1100));
      const back = await outcome((await start()).jobId as string);
      expect(back.status, back.reason).toBe('Succeeded');
    });
  },
);
