/**
 * SignPayload (Notation, ECDSA P-384) with the Signer-managed key in a PKCS#11 token (SoftHSM2,
 * `managedKeysPkcs11Uri`) against the key sealed in the store and held in memory, in the same run:
 * the ratio token/memory is what keeping managed keys in a token costs.
 *
 *   pnpm exec tsx scripts/bench/pkcs11-managed.ts [N=1200] [inFlight=16]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NOTARY_PAYLOAD_TYPE } from '@fwsign/signing-engine';
import { SignerStore } from '@fwsign/store';
import {
  createSoftHsm,
  softhsmMissing,
  useTokenEnv,
} from '../../packages/signing-engine/test/softhsm.js';

const N = Number(process.argv[2] ?? 1200);
const IN_FLIGHT = Number(process.argv[3] ?? 16);
const ROUNDS = 6;
if (!Number.isInteger(N) || N < ROUNDS || !Number.isInteger(IN_FLIGHT) || IN_FLIGHT < 1)
  throw new RangeError(
    `usage: pkcs11-managed.ts [N >= ${ROUNDS}] [inFlight >= 1], got ${process.argv.slice(2).join(' ')}`,
  );
if (softhsmMissing) {
  console.error(`pkcs11-managed bench: ${softhsmMissing}`);
  process.exit(1);
}

const ALICE = { accountId: '111111111111', principalArn: 'arn:aws:iam::111111111111:user/bench' };
const payload = new TextEncoder().encode(
  JSON.stringify({
    targetArtifact: {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${'ab'.repeat(32)}`,
      size: 1234,
    },
  }),
);
const hsm = createSoftHsm(['bench']);
const restoreEnv = useTokenEnv(hsm);
const dirs = [0, 1].map((i) => mkdtempSync(join(tmpdir(), `fwsign-bench-managed-${i}-`)));

try {
  const masterKey = new Uint8Array(32).fill(1);
  const memory = SignerStore.open({ dataDir: dirs[0]!, masterKey });
  const token = SignerStore.open({
    dataDir: dirs[1]!,
    masterKey,
    managedKeysPkcs11Uri: 'pkcs11:token=bench',
  });
  for (const s of [memory, token])
    s.putSigningProfile(ALICE, { profileName: 'oci', platformId: 'Notation-OCI-SHA384-ECDSA' });
  const sign = (s: SignerStore) =>
    s.signPayload(ALICE, { profileName: 'oci', payload, payloadFormat: NOTARY_PAYLOAD_TYPE });
  /** `count` SignPayload calls, IN_FLIGHT at a time; the elapsed ms. */
  const run = async (s: SignerStore, count: number): Promise<number> => {
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next++ < count) await sign(s);
      }),
    );
    return performance.now() - t0;
  };
  await run(memory, 50);
  await run(token, 50);
  // Interleaved rounds: a change of load on the shared machine hits both sides alike.
  const per = Math.floor(N / ROUNDS);
  let memoryMs = 0;
  let tokenMs = 0;
  for (let r = 0; r < ROUNDS; r++) {
    memoryMs += await run(memory, per);
    tokenMs += await run(token, per);
  }
  const total = per * ROUNDS;
  const memoryRate = (total / memoryMs) * 1000;
  const tokenRate = (total / tokenMs) * 1000;
  console.log(`SignPayload, Notation ES384, ${total} calls per side, ${IN_FLIGHT} in flight`);
  console.log(`  managed key in memory (sealed in the store): ${memoryRate.toFixed(0)} calls/s`);
  console.log(`  managed key in SoftHSM2 through PKCS#11:     ${tokenRate.toFixed(0)} calls/s`);
  console.log(`  ratio token/memory: ${(tokenRate / memoryRate).toFixed(2)}`);
  memory.close();
  token.close();
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  hsm.cleanup();
  restoreEnv();
}
