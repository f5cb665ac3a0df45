import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOtaJobDocument, parseSignedObject } from '@fwsign/signing-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKeys, fwsign, tempDir, type RunResult } from '../helpers.js';
import { job, profile, startFixture, type Fixture } from '../aws-fixture.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

beforeAll(async () => {
  writeFileSync(join(tmp.dir, 'fw.bin'), randomBytes(2000));
  expect((await devKeys(tmp.dir)).code).toBe(0);
  expect(
    (
      await fwsign(
        tmp.dir,
        'sign',
        '--platform-id',
        'AmazonFreeRTOS-Default',
        '--key',
        'k.pem',
        '--cert',
        'c.pem',
        '--in',
        'fw.bin',
        '--out',
        'fw.signed.json',
      )
    ).code,
  ).toBe(0);
});

describe('fwsign ota-job-document', () => {
  /** The document of fw.signed.json for /ota/fw.bin, with `extra` flags. */
  const document = (...extra: string[]): Promise<RunResult> =>
    fwsign(
      tmp.dir,
      'ota-job-document',
      '--signed',
      'fw.signed.json',
      '--filepath',
      '/ota/fw.bin',
      '--certfile',
      '/certs/codesign.crt',
      ...extra,
    );

  it('prints the afr_ota document with the signature copied from the signed object', async () => {
    const r = await document('--stream', 'AFR_OTA-abc');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const signed = parseSignedObject(new Uint8Array(readFileSync(join(tmp.dir, 'fw.signed.json'))));
    expect(doc).toEqual({
      afr_ota: {
        protocols: ['MQTT'],
        streamname: 'AFR_OTA-abc',
        files: [
          {
            filepath: '/ota/fw.bin',
            filesize: 2000,
            fileid: 0,
            certfile: '/certs/codesign.crt',
            fileType: 0,
            'sig-sha256-ecdsa': Buffer.from(signed.signature).toString('base64'),
          },
        ],
      },
    });
    // Compact, as devices need it: no indentation, one line.
    expect(r.stdout).toBe(`${JSON.stringify(doc)}\n`);
    expect(parseOtaJobDocument(doc).files[0]!.filesize).toBe(2000);
  });

  it('refuses MQTT without a stream, a stream name the agent cannot subscribe to, and a fileType over 255 (exit 2)', async () => {
    const run = document;
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /^fwsign ota-job-document: --stream is required for MQTT \(the device downloads the file over that stream; AWS IoT names them AFR_OTA-<uuid>\)/,
    );
    const slash = await run('--stream', 'AFR_OTA/1');
    expect(slash.code).toBe(2);
    expect(slash.stderr).toContain(
      '--stream expected no MQTT topic characters (#, +, /), got "/" in "AFR_OTA/1"',
    );
    const long = await run('--stream', `AFR_OTA-${'a'.repeat(37)}`);
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('--stream expected at most 44 characters');
    const type = await run('--stream', 'AFR_OTA-1', '--file-type', '256');
    expect(type.code).toBe(2);
    expect(type.stderr).toContain('--file-type expected an integer 0..255, got "256"');
  });

  it('writes --out, takes several files and HTTP fields, and checks pairing', async () => {
    const r = await fwsign(
      tmp.dir,
      'ota-job-document',
      '--signed',
      'fw.signed.json',
      '--filepath',
      'a',
      '--signed',
      'fw.signed.json',
      '--filepath',
      'b',
      '--certfile',
      '/c',
      '--protocol',
      'HTTP',
      '--update-data-url',
      'https://x/y',
      '--auth-scheme',
      'aws.s3.presigned',
      '--file-type',
      '2',
      '--out',
      'job.json',
    );
    expect(r.code, r.stderr).toBe(0);
    const doc = parseOtaJobDocument(readFileSync(join(tmp.dir, 'job.json'), 'utf8'));
    expect(doc.protocols).toEqual(['HTTP']);
    expect(doc.files.map((f) => [f.filepath, f.fileid, f.fileType, f.update_data_url])).toEqual([
      ['a', 0, 2, 'https://x/y'],
      ['b', 1, 2, 'https://x/y'],
    ]);
    const unpaired = await fwsign(
      tmp.dir,
      'ota-job-document',
      '--signed',
      'fw.signed.json',
      '--certfile',
      '/c',
    );
    expect(unpaired.code).toBe(2);
    expect(unpaired.stderr).toContain('--filepath expected once per --signed (1), got 0');
  });
});

describe(
  'fwsign ota-job-document --job-id (from a signing job on the server)',
  { timeout: 60_000 },
  () => {
    let f: Fixture;
    beforeAll(async () => (f = await startFixture()), 60_000);
    afterAll(async () => f?.close());
    const build = (jobId: string): Promise<RunResult> =>
      f.run(
        'ota-job-document',
        '--job-id',
        jobId,
        '--endpoint-url',
        f.url,
        '--filepath',
        '/ota/fw.bin',
        '--certfile',
        '/certs/codesign.crt',
        '--stream',
        'AFR_OTA-job',
      );

    it('builds the document from the signed object in the destination bucket, byte for byte the one --signed builds', async () => {
      await profile(f, 'OtaGood');
      const jobId = await job(f, 'OtaGood');
      const r = await build(jobId);
      expect(r.code, r.stderr).toBe(0);
      const d = await f.json('describe-signing-job', '--job-id', jobId);
      const signed = f.store.buckets.getObject(
        '000000000000',
        d.signedObject.s3.bucketName,
        d.signedObject.s3.key,
      ).body;
      writeFileSync(join(f.dir, 'job.signed.json'), signed);
      const local = await f.run(
        'ota-job-document',
        '--signed',
        'job.signed.json',
        '--filepath',
        '/ota/fw.bin',
        '--certfile',
        '/certs/codesign.crt',
        '--stream',
        'AFR_OTA-job',
      );
      expect(r.stdout).toBe(local.stdout);
      expect(parseOtaJobDocument(r.stdout).files[0]).toMatchObject({
        filesize: 4096,
        signatureKey: 'sig-sha256-ecdsa',
        signature: parseSignedObject(new Uint8Array(signed)).signature,
      });
    });

    it('builds one document from several jobs, files numbered in order, as --signed builds it from their objects', async () => {
      await profile(f, 'OtaTwo');
      const ids = [await job(f, 'OtaTwo'), await job(f, 'OtaTwo')];
      const both = (flag: string, values: string[]): Promise<RunResult> =>
        f.run(
          'ota-job-document',
          ...values.flatMap((v, i) => [flag, v, '--filepath', `/ota/fw${i}.bin`]),
          ...(flag === '--job-id' ? ['--endpoint-url', f.url] : []),
          '--certfile',
          '/certs/codesign.crt',
          '--stream',
          'AFR_OTA-two',
          '--file-type',
          '7',
        );
      const r = await both('--job-id', ids);
      expect(r.code, r.stderr).toBe(0);
      const files = await Promise.all(
        ids.map(async (id, i) => {
          const s3 = (await f.json('describe-signing-job', '--job-id', id)).signedObject.s3;
          const name = `two${i}.signed.json`;
          writeFileSync(
            join(f.dir, name),
            f.store.buckets.getObject('000000000000', s3.bucketName, s3.key).body,
          );
          return name;
        }),
      );
      expect(r.stdout).toBe((await both('--signed', files)).stdout);
      const doc = parseOtaJobDocument(r.stdout);
      expect(doc.files.map((x) => [x.fileid, x.filepath, x.fileType])).toEqual([
        [0, '/ota/fw0.bin', 7],
        [1, '/ota/fw1.bin', 7],
      ]);
    });

    it('refuses a job whose signature was revoked (exit 1, the reason named)', async () => {
      await profile(f, 'OtaRevokedSig');
      const jobId = await job(f, 'OtaRevokedSig');
      expect(
        (await f.run('revoke-signature', '--job-id', jobId, '--reason', 'build host compromised'))
          .code,
      ).toBe(0);
      const r = await build(jobId);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        new RegExp(
          `^fwsign ota-job-document: RevokedSignature: job ${jobId}: its signature was revoked at \\S+ by arn:aws:iam::000000000000:root \\(build host compromised\\); refusing to build an OTA job for it\\n$`,
        ),
      );
    });

    it('refuses a job whose profile version was revoked effective before it completed, not one revoked effective later', async () => {
      const early = await profile(f, 'OtaRevokedEarly');
      const earlyJob = await job(f, 'OtaRevokedEarly');
      const past = new Date(Date.now() - 3_600_000).toISOString();
      expect(
        (
          await f.run(
            'revoke-signing-profile',
            '--profile-name',
            'OtaRevokedEarly',
            '--profile-version',
            early.profileVersion,
            '--reason',
            'key leaked',
            '--effective-time',
            past,
          )
        ).code,
      ).toBe(0);
      const r = await build(earlyJob);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `fwsign ota-job-document: RevokedProfile: job ${earlyJob}: profile OtaRevokedEarly version ${early.profileVersion} was revoked effective `,
      );

      const late = await profile(f, 'OtaRevokedLate');
      const lateJob = await job(f, 'OtaRevokedLate');
      // Effective after the job completed (and, as the service requires, already in the past).
      const completedAt = new Date(
        (await f.json('describe-signing-job', '--job-id', lateJob)).completedAt,
      ).getTime();
      await new Promise((r) => setTimeout(r, 60));
      const after = new Date(completedAt + 20).toISOString();
      const revoked = await f.run(
        'revoke-signing-profile',
        '--profile-name',
        'OtaRevokedLate',
        '--profile-version',
        late.profileVersion,
        '--reason',
        'rotation',
        '--effective-time',
        after,
      );
      expect(revoked.code, revoked.stderr).toBe(0);
      expect((await f.json('get-signing-profile', '--profile-name', 'OtaRevokedLate')).status).toBe(
        'Revoked',
      );
      const ok = await build(lateJob);
      expect(ok.code, ok.stderr).toBe(0);
      expect(parseOtaJobDocument(ok.stdout).files[0]!.filesize).toBe(4096);
    });

    it("refuses a job that does not exist with the service's error, and --signed with --job-id as a usage error", async () => {
      const missing = await build('00000000-0000-4000-8000-000000000000');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^fwsign ota-job-document: ResourceNotFoundException: /);
      const both = await f.run(
        'ota-job-document',
        '--job-id',
        'x',
        '--signed',
        'a.json',
        '--filepath',
        'p',
        '--certfile',
        'c',
      );
      expect(both.code).toBe(2);
      expect(both.stderr).toContain('--signed and --job-id exclude each other');
    });
  },
);
