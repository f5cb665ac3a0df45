/**
 * The engines the store contract suites (store-contract*.test.ts) run against, the same tests on
 * each, as node-serialport runs one suite against each binding: SQLite in a temp dir, and
 * PostgreSQL from Debian's binaries (test-support) where they are installed. One PostgreSQL server
 * per test file, started on first use and stopped after the file; a fresh database per store.
 * The databases order text by ICU's English rules, not C: an operator's database may, and the
 * store must list and paginate as SQLite does whatever the database's locale.
 */
import { postgresSkipReason, startPostgres, type PostgresServer } from '@fwsign/test-support';
import { afterAll, beforeAll } from 'vitest';
import { openStore, type StoreContract } from '../src/index.js';
import {
  ALICE,
  EC_P256,
  enc,
  opensslPair,
  removeDir,
  tempDir,
  TEST_MASTER_KEY,
} from './helpers.js';
import type { KeyPair } from './helpers.js';

type EngineName = 'sqlite' | 'postgres';

export interface ContractEngine {
  name: EngineName;
  /** A store in `dir`, on a fresh database of this engine. */
  open(dir: string): Promise<StoreContract>;
}

export const pgSkip = postgresSkipReason();
if (pgSkip) console.warn(pgSkip);

let server: Promise<PostgresServer> | undefined;
let databases = 0;
afterAll(async () => {
  await (await server)?.stop();
});

/** This file's PostgreSQL server, started on first use. */
function postgres(): Promise<PostgresServer> {
  server ??= startPostgres();
  return server;
}

/** A fresh, empty PostgreSQL database on this file's server, ordering text as English does. */
export async function freshDatabase(): Promise<string> {
  return (await postgres()).createDatabase(`contract_${++databases}`, { icuLocale: 'en' });
}

export const ENGINES: ContractEngine[] = [
  { name: 'sqlite', open: async (dir) => openStore({ dataDir: dir, masterKey: TEST_MASTER_KEY }) },
  ...(pgSkip
    ? []
    : [
        {
          name: 'postgres' as const,
          open: async (dir: string) =>
            openStore({
              dataDir: dir,
              database: await freshDatabase(),
              masterKey: TEST_MASTER_KEY,
            }),
        },
      ]),
];

export interface ContractStore {
  dir: string;
  store: StoreContract;
  /** Alice's EC P-256 certificate, imported. */
  certificateArn: string;
  pair: KeyPair;
}

/**
 * A store on `engine` with Alice's certificate imported, for the describe block it is called in;
 * closed and deleted after it. The fields are filled in by its beforeAll.
 */
export function useContractStore(engine: ContractEngine): ContractStore {
  const s = {} as ContractStore;
  beforeAll(async () => {
    s.dir = tempDir(`contract-${engine.name}`);
    s.store = await engine.open(s.dir);
    ({ pair: s.pair, certificateArn: s.certificateArn } = await importCertificate(s.store, s.dir));
  }, 60_000);
  afterAll(async () => {
    await s.store?.close();
    if (s.dir) removeDir(s.dir);
  });
  return s;
}

/** A new EC P-256 pair made by OpenSSL in `dir`, imported as Alice's. */
export async function importCertificate(
  store: StoreContract,
  dir: string,
  name = 'c',
): Promise<{ pair: KeyPair; certificateArn: string }> {
  const pair = opensslPair(dir, name, EC_P256);
  const { certificateArn } = await store.importCertificate(ALICE, {
    certificate: enc(pair.certPem),
    privateKey: enc(pair.keyPem),
  });
  return { pair, certificateArn };
}

/** Every item of a listing, fetched a page at a time: `fetch` gets the previous page's token. */
export async function allPages<T>(
  fetch: (page: { nextToken?: string }) => Promise<{ items: T[]; nextToken?: string }>,
): Promise<T[]> {
  const out: T[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fetch(nextToken ? { nextToken } : {});
    out.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** Versioned buckets `src` and `dst` in Alice's account, and one firmware image in `src`; its version. */
export async function uploadFirmware(store: StoreContract, key = 'fw.bin'): Promise<string> {
  const have = new Set((await store.buckets.listBuckets(ALICE.accountId)).map((b) => b.name));
  for (const b of ['src', 'dst']) {
    if (have.has(b)) continue;
    await store.buckets.createBucket(ALICE.accountId, b);
    await store.buckets.putBucketVersioning(ALICE.accountId, b, 'Enabled');
  }
  const body = new Uint8Array(2048).map((_, i) => (i * 13 + key.length) & 0xff);
  return (await store.buckets.putObject(ALICE.accountId, 'src', key, body)).versionId;
}

/** StartSigningJob's input for the image uploadFirmware put. */
export function jobInput(profileName: string, version: string, token: string, key = 'fw.bin') {
  return {
    source: { s3: { bucketName: 'src', key, version } },
    destination: { s3: { bucketName: 'dst', prefix: 'signed/' } },
    profileName,
    clientRequestToken: token,
  };
}
