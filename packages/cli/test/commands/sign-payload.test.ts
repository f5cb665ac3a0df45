import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign sign-payload', { timeout: 60_000 }, () => {
  it('signs a fileb:// Notary payload and returns the JWS envelope as base64', async () => {
    await f.json(
      'put-signing-profile',
      '--profile-name',
      'Payload',
      '--platform-id',
      'Notation-OCI-SHA384-ECDSA',
    );
    writeFileSync(
      join(f.dir, 'p.bin'),
      '{"targetArtifact":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:00","size":1}}',
    );
    const out = await f.json(
      'sign-payload',
      '--profile-name',
      'Payload',
      '--payload',
      'fileb://p.bin',
      '--payload-format',
      'application/vnd.cncf.notary.payload.v1+json',
    );
    expect(out.jobOwner).toBe('000000000000');
    expect(JSON.parse(Buffer.from(out.signature as string, 'base64').toString())).toHaveProperty(
      'protected',
    );
    expect((await f.json('describe-signing-job', '--job-id', out.jobId)).status).toBe('Succeeded');
    const empty = await f.run(
      'sign-payload',
      '--profile-name',
      'Payload',
      '--payload',
      'fileb://missing.bin',
      '--payload-format',
      'x',
    );
    expect(empty.code).not.toBe(0);
  });
});
