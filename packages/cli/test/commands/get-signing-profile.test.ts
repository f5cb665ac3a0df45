import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profile, startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign get-signing-profile', { timeout: 60_000 }, () => {
  it('prints the profile as JSON, as a table with --output table, and ResourceNotFoundException for a missing one', async () => {
    const { profileVersion } = await profile(f, 'Shown');
    expect(await f.json('get-signing-profile', '--profile-name', 'Shown')).toMatchObject({
      profileName: 'Shown',
      profileVersion,
      status: 'Active',
    });
    const table = await f.run(
      'get-signing-profile',
      '--profile-name',
      'Shown',
      '--output',
      'table',
    );
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/\|\s+GetSigningProfile\s+\|/);
    expect(table.stdout).toMatch(/\|\s+profileName\s+\|\s+Shown\s+\|/);
    const missing = await f.run('get-signing-profile', '--profile-name', 'Nope');
    expect(missing.code).toBe(254);
    expect(missing.stderr).toMatch(
      /An error occurred \(ResourceNotFoundException\) when calling the GetSigningProfile operation/,
    );
  });

  it('shows the request with --debug, without the signature', async () => {
    await profile(f, 'Debugged');
    const r = await f.run('get-signing-profile', '--profile-name', 'Debugged', '--debug');
    expect(r.stderr).toContain('[debug] GET ');
    expect(r.stderr).toContain('/signing-profiles/Debugged');
    expect(r.stderr).toContain('Signature=…');
    expect(r.stderr).not.toMatch(/Signature=[0-9a-f]{64}/);
  });
});
