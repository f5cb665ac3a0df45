/**
 * The /_fwsign/audit/* routes on a PostgreSQL store, unchanged: two servers on one database serve
 * one log, its checkpoints made on either's schedule, a proof from one checking against the
 * checkpoint fetched from the other.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInclusionBundle, parseVerifierKey, type InclusionBundle } from '@fwsign/audit-log';
import { SignerStore, storeContract } from '@fwsign/store';
import { postgresSkipReason, startPostgres, type PostgresServer } from '@fwsign/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignerServer } from '../src/index.js';
import { ME, logOneJob } from './audit-fixture.js';
import { DEV, signedFetch } from './helpers.js';

const skip = postgresSkipReason();
if (skip) console.warn(skip);

describe.skipIf(skip !== undefined)('the audit routes on PostgreSQL', () => {
  let pg: PostgresServer;
  const dirs: string[] = [];
  const stores: SignerStore[] = [];
  const servers: SignerServer[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    const database = pg.createDatabase('api_audit');
    for (let i = 0; i < 2; i++) {
      const dir = mkdtempSync(join(tmpdir(), `fwsign-api-audit-pg-${i}-`));
      dirs.push(dir);
      writeFileSync(
        join(dir, 'credentials.json'),
        JSON.stringify({
          credentials: [{ accessKeyId: 'test', secretAccessKey: 'test', accountId: ME.accountId }],
        }),
        { mode: 0o600 },
      );
      // Both servers are given the same master key, as servers sharing a database must be.
      const store = SignerStore.open({
        dataDir: dir,
        database,
        masterKey: new Uint8Array(32).fill(9),
        auditOrigin: 'fwsign.test/pg',
      });
      stores.push(store);
      const server = new SignerServer({
        dataDir: dir,
        store: storeContract(store),
        port: 0,
        accessLog: false,
        checkpointIntervalMs: 50,
      });
      servers.push(server);
      urls.push((await server.listen()).url);
    }
  }, 120_000);
  afterAll(async () => {
    for (const s of servers) await s.close();
    await pg?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const get = (i: number, path: string, query: Record<string, string> = {}) =>
    signedFetch(urls[i]!, { method: 'GET', path, service: 'signer', query, creds: DEV });

  it("serves one log from either server, checkpointed on the servers' schedule", async () => {
    const a = stores[0]!;
    const jobId = await logOneJob(a, dirs[0]!);
    // No timing assumption beyond "within 20 s": the machine may be busy.
    for (
      let waited = 0;
      (a.audit.latestCheckpoint()?.size ?? 0) < 4 && waited < 20_000;
      waited += 50
    )
      await new Promise((r) => setTimeout(r, 50));
    expect(a.audit.latestCheckpoint()?.size).toBe(4);

    const got = await get(1, '/_fwsign/audit/checkpoint');
    const cp = (await got.json()) as { checkpoint: string; treeSize: number; publicKey: string };
    expect([got.status, cp.treeSize], JSON.stringify(cp)).toEqual([200, 4]);
    expect(cp.checkpoint).toBe(a.audit.latestCheckpoint()!.note);
    const res = await get(0, '/_fwsign/audit/proof', { jobId });
    expect(res.status).toBe(200);
    const bundle = (await res.json()) as InclusionBundle;
    expect(bundle.checkpoint).toBe(cp.checkpoint);
    expect(checkInclusionBundle(bundle, parseVerifierKey(cp.publicKey))).toMatchObject({
      ok: true,
      treeSize: 4,
    });
    const listed = (await (await get(1, '/_fwsign/audit/entries')).json()) as {
      entries: Array<{ index: number; entry: { kind: string } }>;
    };
    expect(listed.entries.map((e) => e.entry.kind)).toEqual([
      'certificate.import',
      'profile.put',
      'job.start',
      'job.succeed',
    ]);
  });
});
