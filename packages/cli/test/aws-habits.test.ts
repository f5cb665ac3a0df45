/**
 * The AWS CLI's habits on the twinned verbs, checked against the real AWS CLI on the same server:
 * --output table/text laid out byte for byte as `aws signer …` lays them out, --query, tokens
 * that either CLI's --starting-token takes, return codes, and the generated client request token.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profile, startFixture, type Fixture } from './aws-fixture.js';

const exec = promisify(execFile);
let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
  const certificateArn = await f.certificate('ec');
  for (const name of ['Alpha', 'Beta', 'Gamma', 'Delta'])
    await profile(f, name, {
      certificateArn,
      extra: [
        '--signature-validity-period',
        'value=90,type=DAYS',
        '--tags',
        `team=fw,name=${name}`,
      ],
    });
}, 120_000);
afterAll(async () => f?.close());

/** `aws signer …` against the fixture's server; stdout. */
async function aws(...argv: string[]): Promise<string> {
  const { stdout } = await exec('aws', ['signer', ...argv, '--endpoint-url', f.url], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: 'us-east-1',
      COLUMNS: '',
    },
  });
  return stdout;
}

describe('fwsign and aws signer print the same', { timeout: 120_000 }, () => {
  it.each([
    ['list-signing-profiles', '--output', 'table'],
    ['list-signing-profiles', '--output', 'text'],
    ['get-signing-platform', '--platform-id', 'AmazonFreeRTOS-Default', '--output', 'table'],
    ['list-signing-platforms', '--output', 'text'],
    ['list-signing-profiles', '--query', 'profiles[?tags.team==`fw`].profileName'],
    ['list-signing-profiles', '--query', 'profiles[0].{n:profileName,v:signatureValidityPeriod}', '--output', 'table'], // prettier-ignore
  ])('%s %s %s %s %s', async (...argv) => {
    const ours = await f.run(...argv);
    expect(ours.code, ours.stderr).toBe(0);
    expect(ours.stdout).toBe(await aws(...argv));
  });

  it("takes the AWS CLI's --starting-token, and the AWS CLI takes fwsign's", async () => {
    const names = (out: string): string[] =>
      (JSON.parse(out) as { profiles: { profileName: string }[] }).profiles.map(
        (p) => p.profileName,
      );
    const all = names((await f.run('list-signing-profiles')).stdout);
    expect(all).toHaveLength(4);
    // --page-size 3 --max-items 2 stops inside a page: the token carries the truncation.
    const theirs = JSON.parse(
      await aws('list-signing-profiles', '--page-size', '3', '--max-items', '2'),
    ) as { NextToken: string };
    const rest = await f.run('list-signing-profiles', '--starting-token', theirs.NextToken);
    expect(names(rest.stdout)).toEqual(all.slice(2));
    const ours = JSON.parse(
      (await f.run('list-signing-profiles', '--page-size', '3', '--max-items', '1')).stdout,
    ) as { NextToken: string };
    expect(names(await aws('list-signing-profiles', '--starting-token', ours.NextToken))).toEqual(
      all.slice(1),
    );
  });
});

describe('return codes as the AWS CLI v2 documents them', { timeout: 60_000 }, () => {
  it('252 for syntax, 253 for credentials, 254 for a service error', async () => {
    const unknown = await f.run('get-signing-profile', '--profile', 'Alpha');
    expect(unknown.code).toBe(252);
    expect(unknown.stderr).toContain("Unknown option '--profile'");
    const query = await f.run('list-signing-profiles', '--query', 'profiles[');
    expect(query.code).toBe(252);
    expect(query.stderr).toContain('Bad value for --query profiles[');
    const missing = await f.run('get-signing-profile', '--profile-name', 'Nope');
    expect(missing.code).toBe(254);
    expect(missing.stderr).toMatch(
      /^An error occurred \(ResourceNotFoundException\) when calling the GetSigningProfile operation: /,
    );
  });

  it('253 when the environment has half a key pair', async () => {
    const { runCli } = await import('../src/index.js');
    let stderr = '';
    const code = await runCli(['list-signing-profiles', '--endpoint-url', f.url], {
      cwd: f.dir,
      env: { AWS_ACCESS_KEY_ID: 'test' },
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
    });
    expect(code).toBe(253);
    expect(stderr).toContain('Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY');
  });
});

describe('start-signing-job', { timeout: 60_000 }, () => {
  it('sends a fresh client request token when none is given, as the AWS CLI does', async () => {
    const version = f.object('habits-src', 'fw.bin', new Uint8Array(64).fill(3));
    f.object('habits-dst', 'keep', new Uint8Array(1));
    const start = (): Promise<{ code: number; stderr: string }> =>
      f.run(
        'start-signing-job',
        '--profile-name',
        'Alpha',
        '--source',
        `s3={bucketName=habits-src,key=fw.bin,version=${version}}`,
        '--destination',
        's3={bucketName=habits-dst,prefix=signed/}',
        '--debug',
      );
    const tokens = [];
    for (const r of [await start(), await start()]) {
      expect(r.code, r.stderr).toBe(0);
      tokens.push(/"clientRequestToken":"([0-9a-f-]{36})"/.exec(r.stderr)?.[1]);
    }
    expect(tokens[0]).toBeDefined();
    expect(tokens[1]).toBeDefined();
    expect(tokens[0]).not.toBe(tokens[1]);
  });
});
