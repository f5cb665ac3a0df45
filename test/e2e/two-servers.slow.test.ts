/**
 * Two `fwsign serve` processes on one PostgreSQL, each with its own data dir: everything a client
 * sees is the same through either, requests racing each other across the two keep AWS's rules,
 * and `kill -9` of one under load loses no acknowledged job. Driven by the AWS SDK.
 */
import { randomBytes, verify } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
  DescribeSigningJobCommand,
  GetSigningProfileCommand,
  ListSigningJobsCommand,
  type ListSigningJobsCommandOutput,
  ListSigningProfilesCommand,
  type ListSigningProfilesCommandOutput,
  PutSigningProfileCommand,
  StartSigningJobCommand,
} from '@aws-sdk/client-signer';
import { callAcm } from '@fwsign/api';
import { parseSignedObject } from '@fwsign/signing-engine';
import {
  makeCodeSigningCertificate,
  postgresSkipReason,
  startPostgres,
  type PostgresServer,
} from '@fwsign/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CREDS,
  REGION,
  runFwsign,
  serveUntilExit,
  startServe,
  type ServeProcess,
} from './support/serve-process.js';

const skip = postgresSkipReason();
if (skip) console.warn(skip);

/** In the URL both servers are given; trust authentication ignores it, and no output may show it. */
const PASSWORD = 'never-printed-7f3a';

describe.skipIf(skip !== undefined)('two servers on one PostgreSQL', { timeout: 240_000 }, () => {
  let pg: PostgresServer;
  let work: string;
  let database: string;
  let masterKey: string;
  let a: ServeProcess;
  let b: ServeProcess;
  let certificatePem: string;
  let certificateArn: string;
  let sourceVersion: string;
  const payload = new Uint8Array(4096).map((_, i) => (i * 7 + 1) & 0xff);

  beforeAll(async () => {
    pg = await startPostgres();
    work = mkdtempSync(join(tmpdir(), 'fwsign-two-servers-'));
    database = pg.createDatabase('two_servers').replace('fwsign@', `fwsign:${PASSWORD}@`);
    masterKey = randomBytes(32).toString('hex');
    // Started together: both migrate the empty database at once, under its write lock.
    [a, b] = await Promise.all([
      startServe(['--data-dir', join(work, 'a'), '--database', database], {
        FWSIGN_MASTER_KEY: masterKey,
      }),
      startServe(['--data-dir', join(work, 'b')], {
        FWSIGN_DATABASE: database,
        FWSIGN_MASTER_KEY: masterKey,
      }),
    ]);
    const made = makeCodeSigningCertificate(work, 'ec', 'two servers', 30);
    certificatePem = made.certificate;
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const imported = await callAcm(
      { endpoint: a.url, region: REGION, credentials: CREDS },
      'ImportCertificate',
      { Certificate: b64(made.certificate), PrivateKey: b64(made.privateKey) },
    );
    certificateArn = String(imported.CertificateArn);
    await a.s3.send(new CreateBucketCommand({ Bucket: 'src' }));
    await a.s3.send(
      new PutBucketVersioningCommand({
        Bucket: 'src',
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    await a.s3.send(new CreateBucketCommand({ Bucket: 'dst' }));
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await pg?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const jobInput = (profileName: string, token: string) => ({
    source: { s3: { bucketName: 'src', key: 'fw.bin', version: sourceVersion } },
    destination: { s3: { bucketName: 'dst', prefix: 'signed/' } },
    profileName,
    clientRequestToken: token,
  });

  /** The job is Succeeded, and its signed object, read through `via`, is the source signed by the imported key. */
  async function expectSigned(via: ServeProcess, jobId: string): Promise<void> {
    const job = await via.signer.send(new DescribeSigningJobCommand({ jobId }));
    expect([jobId, job.status]).toEqual([jobId, 'Succeeded']);
    const out = job.signedObject!.s3!;
    const got = await via.s3.send(new GetObjectCommand({ Bucket: out.bucketName, Key: out.key }));
    const signed = parseSignedObject(await got.Body!.transformToByteArray());
    expect(signed.rawPayloadSize).toBe(payload.length);
    expect(verify('sha256', payload, certificatePem, signed.signature)).toBe(true);
  }

  /** Every job id, listed through `via` 25 (the most AWS allows) at a time. */
  async function allJobs(via: ServeProcess): Promise<string[]> {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page: ListSigningJobsCommandOutput = await via.signer.send(
        new ListSigningJobsCommand({ maxResults: 25, nextToken }),
      );
      ids.push(...page.jobs!.map((j) => j.jobId!));
      nextToken = page.nextToken;
    } while (nextToken);
    return ids;
  }

  it('starts on both (the engine named, the password never shown); a profile made on one signs on the other', async () => {
    for (const s of [a, b]) {
      expect(s.stderr()).toMatch(
        /listening on http:\/\/\S+ \(region us-east-1, data \S+, store PostgreSQL postgres:\/\/fwsign:\*\*\*@127\.0\.0\.1:\d+\/two_servers\)/,
      );
    }
    const put = await a.signer.send(
      new PutSigningProfileCommand({
        profileName: 'shared_fw',
        platformId: 'AmazonFreeRTOS-Default',
        signingMaterial: { certificateArn },
      }),
    );
    const seen = await b.signer.send(new GetSigningProfileCommand({ profileName: 'shared_fw' }));
    expect(seen.profileVersionArn).toBe(put.profileVersionArn);
    // The source goes in through B, the job starts on B, the signed object comes out of A.
    sourceVersion = (
      await b.s3.send(new PutObjectCommand({ Bucket: 'src', Key: 'fw.bin', Body: payload }))
    ).VersionId!;
    const { jobId } = await b.signer.send(
      new StartSigningJobCommand(jobInput('shared_fw', 'made-on-a')),
    );
    await expectSigned(a, jobId!);
  });

  it('a client request token sent to both servers at once gives one job', async () => {
    for (let i = 0; i < 10; i++) {
      const input = jobInput('shared_fw', `both-${i}`);
      const [fromA, fromB] = await Promise.all([
        a.signer.send(new StartSigningJobCommand(input)),
        b.signer.send(new StartSigningJobCommand(input)),
      ]);
      expect(fromB.jobId).toBe(fromA.jobId);
    }
  });

  it('two servers racing to create one profile name: one success, one ValidationException', async () => {
    for (let i = 0; i < 10; i++) {
      const put = (s: ServeProcess) =>
        s.signer.send(
          new PutSigningProfileCommand({
            profileName: `race_${i}`,
            platformId: 'AmazonFreeRTOS-Default',
            signingMaterial: { certificateArn },
          }),
        );
      const results = await Promise.allSettled([put(a), put(b)]);
      const refused = results.filter((r) => r.status === 'rejected');
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining(`race_${i}`),
      });
    }
  });

  it('listing pages: a token from one server continues on the other', async () => {
    const expected = (await allJobs(a)).sort();
    expect(expected.length).toBeGreaterThanOrEqual(11);
    const paged: string[] = [];
    let nextToken: string | undefined;
    let turn = 0;
    do {
      const via = turn++ % 2 === 0 ? a : b;
      const page = await via.signer.send(new ListSigningJobsCommand({ maxResults: 3, nextToken }));
      paged.push(...page.jobs!.map((j) => j.jobId!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(paged.sort()).toEqual(expected);
    const profiles: string[] = [];
    nextToken = undefined;
    do {
      const via = turn++ % 2 === 0 ? b : a;
      const page: ListSigningProfilesCommandOutput = await via.signer.send(
        new ListSigningProfilesCommand({ maxResults: 4, nextToken }),
      );
      profiles.push(...page.profiles!.map((p) => p.profileName!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(profiles.sort()).toEqual(
      ['shared_fw', ...Array.from({ length: 10 }, (_, i) => `race_${i}`)].sort(),
    );
  });

  it('a server given another master key refuses to start, naming the key-check value', async () => {
    const other = randomBytes(32).toString('hex');
    const r = await serveUntilExit(
      ['--data-dir', join(work, 'c'), '--port', '0', '--database', database],
      {
        FWSIGN_MASTER_KEY: other,
      },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('FWSIGN_MASTER_KEY: this is not the master key the');
    expect(r.stderr).toContain('(its key-check value differs); refusing to start');
    expect(r.stderr).not.toContain(PASSWORD);
    // The data dir it made (with a master key of its own) is gone again.
    expect(existsSync(join(work, 'c'))).toBe(false);
  });

  it('kill -9 of one server under 8 clients × 50 jobs: every acknowledged job is Succeeded and readable on the survivor', async () => {
    const CLIENTS = 8;
    const JOBS = 50;
    /** token → the job id some server answered with. */
    const acknowledged = new Map<string, string>();
    const fromA = new Map<string, string>();
    let killed = false;
    let unanswered = 0;
    const client = async (c: number) => {
      for (let j = 0; j < JOBS; j++) {
        const token = `k9-${c}-${j}`;
        // Half the clients go to A (until it is gone), half to B; a request A never answered is
        // sent again, same token, to B, as a load balancer's retry would.
        const first = c % 2 === 0 && !killed ? a : b;
        let jobId: string;
        try {
          jobId = (
            await first.signer.send(new StartSigningJobCommand(jobInput('shared_fw', token)))
          ).jobId!;
          if (first === a) fromA.set(token, jobId);
        } catch (err) {
          if (first !== a || !killed)
            throw new Error(`${(err as Error).message}; A: ${a.stderr()}; B: ${b.stderr()}`);
          unanswered++;
          jobId = (await b.signer.send(new StartSigningJobCommand(jobInput('shared_fw', token))))
            .jobId!;
        }
        acknowledged.set(token, jobId);
        if (!killed && acknowledged.size >= (CLIENTS * JOBS) / 3) {
          killed = true;
          a.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
    expect(killed).toBe(true);
    expect(a.child.signalCode).toBe('SIGKILL');
    expect(acknowledged.size).toBe(CLIENTS * JOBS);
    expect(fromA.size).toBeGreaterThan(0);
    console.log(
      `kill -9: ${fromA.size} jobs acknowledged by the killed server, ${unanswered} of its requests unanswered and retried on the survivor`,
    );
    // A retry, on the survivor, of a request the killed server answered gives the job it answered.
    for (const [token, jobId] of fromA) {
      const again = await b.signer.send(new StartSigningJobCommand(jobInput('shared_fw', token)));
      expect(again.jobId).toBe(jobId);
    }
    for (const jobId of acknowledged.values()) await expectSigned(b, jobId);
    // No token made two jobs: the survivor lists exactly one job per token.
    const listed = new Set(await allJobs(b));
    for (const jobId of acknowledged.values()) expect(listed.has(jobId)).toBe(true);
    expect(listed.size).toBe(CLIENTS * JOBS + 11);
    // The transparency log in the database (issue 21: the table is the log) verifies after the
    // kill, and every acknowledged job has its success entry in it.
    const key = runFwsign(['audit', 'public-key', '--database', database], {
      FWSIGN_MASTER_KEY: masterKey,
    });
    expect(key.code, key.stderr).toBe(0);
    const verified = runFwsign(
      [
        'audit',
        'verify',
        '--database',
        database,
        '--public-key',
        key.stdout.trim(),
        '--output',
        'json',
      ],
      {},
    );
    expect(verified.stderr).not.toContain(PASSWORD);
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true });
    const entries = runFwsign(
      ['audit', 'log', '--database', database, '--kind', 'job.succeed', '--output', 'json'],
      {},
    );
    expect(entries.code, entries.stderr).toBe(0);
    const succeeded = new Set(
      (JSON.parse(entries.stdout) as Array<{ subjects: string[] }>).flatMap((e) =>
        e.subjects.flatMap((s) => s.split('/signing-jobs/')[1] ?? []),
      ),
    );
    for (const jobId of acknowledged.values()) expect(succeeded.has(jobId)).toBe(true);
  });
});
