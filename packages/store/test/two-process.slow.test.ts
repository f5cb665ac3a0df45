import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeChildFixture, prepareChildFixture, runChild, type ChildFixture } from './child.js';
import { ALICE, openStore } from './helpers.js';

const COUNT = 30;
let fixture: ChildFixture | undefined;
let dir: string;
let bundle: string;
let sourceVersion: string;

beforeAll(async () => {
  fixture = await prepareChildFixture('two-proc', new Uint8Array(8192).fill(0x5a));
  ({ dir, bundle, sourceVersion } = fixture);
}, 60_000);

afterAll(() => disposeChildFixture(fixture));

describe('two processes on one data directory', () => {
  it('lose no writes: every job, object and permission statement of both is there', async () => {
    const runs = await Promise.all([
      runChild(bundle, ['writer', dir, 'pa', String(COUNT), sourceVersion], 90_000),
      runChild(bundle, ['writer', dir, 'pb', String(COUNT), sourceVersion], 90_000),
    ]);
    for (const r of runs) expect(r.stdout).toContain('DONE');

    const store = openStore(dir);
    try {
      expect(store.sqliteIntegrityCheck()).toBe('ok');
      const jobs: string[] = [];
      let token: string | undefined;
      for (let i = 0; i < 100; i++) {
        const page = store.listSigningJobs(ALICE, {
          maxResults: 25,
          ...(token ? { nextToken: token } : {}),
        });
        jobs.push(...page.jobs.filter((j) => j.status === 'Succeeded').map((j) => j.jobId));
        token = page.nextToken;
        if (!token) break;
      }
      expect(new Set(jobs).size).toBe(2 * COUNT);
      for (const name of ['pa', 'pb']) {
        const objs = store.buckets.listObjectVersions(ALICE.accountId, 'dst-bucket', {
          prefix: `${name}/`,
        }).versions;
        expect(objs).toHaveLength(COUNT);
        for (const o of objs) {
          expect(
            new TextDecoder().decode(
              store.buckets.getObject(ALICE.accountId, 'dst-bucket', o.key, o.versionId).body,
            ),
          ).toBe(`${name} ${o.key.slice(name.length + 5)}`);
        }
      }
      const statements: string[] = [];
      let pt: string | undefined;
      for (let i = 0; i < 100; i++) {
        const page = store.listProfilePermissions(ALICE, {
          profileName: 'fw_profile',
          ...(pt ? { nextToken: pt } : {}),
        });
        statements.push(...page.permissions.map((p) => p.statementId));
        pt = page.nextToken;
        if (!pt) break;
      }
      expect(new Set(statements).size).toBe(2 * COUNT);
    } finally {
      store.close();
    }
  }, 120_000);
});
