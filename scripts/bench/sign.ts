/**
 * Signing speed for a 16 MiB image, in process: `pnpm exec tsx scripts/bench/sign.ts`.
 * Every figure is a ratio to plain node:crypto hashing of the same buffer, measured interleaved
 * with the scenario in the same process (hashing is the floor; the signature itself is a constant
 * ~1 ms). Each scenario runs in its own child process so its peak RSS is its own; RSS is also
 * shown as growth over the resident size just before the image was allocated, for the scenario's
 * first (cold) run. Goals (issue 2): signing ≥ 0.9, JSONEmbedded written ≥ 0.5, RSS < 3× image.
 */
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  resolveEffectiveConfiguration,
  signPayload,
  signPayloadToStream,
  signerFromPrivateKey,
  type EffectiveConfiguration,
} from '../../packages/signing-engine/src/index.js';

const MIB = 1024 * 1024;
const SIZE = 16 * MIB;
const RUNS = 7;

type Scenario = 'hash+sha256' | 'sign' | 'sign+embedded' | 'stream-null' | 'stream-file';
const PLATFORMS = ['AmazonFreeRTOS-Default', 'AmazonFreeRTOS-TI-CC3220SF'] as const;

interface ChildResult {
  bestMs: number;
  /** node:crypto hash of the same image in the same process (for stream-file: read from disk, then hashed). */
  hashBestMs: number;
  medianMs: number;
  baseRss: number;
  maxRss: number;
}

function keyFor(config: EffectiveConfiguration): string {
  const pair =
    config.encryptionAlgorithm === 'ECDSA'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

async function child(platformId: string, scenario: Scenario): Promise<ChildResult> {
  const config = resolveEffectiveConfiguration(platformId);
  const signer = signerFromPrivateKey(keyFor(config));
  const hashName = config.hashAlgorithm === 'SHA1' ? 'sha1' : 'sha256';
  const dir = mkdtempSync(join(tmpdir(), 'fwsign-bench-'));
  const inPath = join(dir, 'fw.bin');
  // The file scenario reads its image from disk; it holds no in-memory copy of its own.
  if (scenario === 'stream-file') writeFileSync(inPath, randomBytes(SIZE));
  globalThis.gc?.();
  const baseRss = process.memoryUsage().rss;
  const image: Uint8Array = scenario === 'stream-file' ? new Uint8Array(0) : randomBytes(SIZE); // a Buffer is a Uint8Array: no copy
  // Same platform, but a detached object: hashing and signing without writing the 22 MiB object.
  const detached: EffectiveConfiguration = { ...config, imageFormat: 'JSONDetached' };
  const loc = { bucketName: 'b', key: 'k', version: '1' };
  const once1 = async (): Promise<void> => {
    switch (scenario) {
      case 'hash+sha256':
        createHash(hashName).update(image).digest();
        createHash('sha256').update(image).digest();
        return;
      case 'sign':
        await signPayload({ config: detached, signer, payload: image, payloadLocation: loc });
        return;
      case 'sign+embedded': {
        const r = await signPayload({ config, signer, payload: image });
        if (r.signedObject.length < SIZE) throw new Error('short object');
        return;
      }
      case 'stream-null': {
        // The object streamed out (as to an HTTP response or S3 upload) rather than kept.
        const sink = new Writable({ highWaterMark: 1024 * 1024, write: (_c, _e, cb) => cb() });
        await signPayloadToStream({ config, signer, payload: image, out: sink });
        return;
      }
      case 'stream-file': {
        const out = createWriteStream(join(dir, 'fw.signed.json'));
        await signPayloadToStream({
          config,
          signer,
          payload: createReadStream(inPath, { highWaterMark: 256 * 1024 }),
          out,
        });
        out.end();
        await once(out, 'finish');
        return;
      }
    }
  };
  await once1(); // first run: its peak is the scenario's own footprint; also warms JIT and noble's tables
  const maxRss = process.resourceUsage().maxRSS * 1024;
  // The baseline is measured in the same process, interleaved with the scenario, so machine load
  // (this box is shared) hits both alike; the ratio is best-to-best.
  const baseline = (): void =>
    void createHash(hashName)
      .update(scenario === 'stream-file' ? readFileSync(inPath) : image)
      .digest();
  const hashTimes: number[] = [];
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t0 = process.hrtime.bigint();
    baseline();
    hashTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    t0 = process.hrtime.bigint();
    await once1();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  rmSync(dir, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  hashTimes.sort((a, b) => a - b);
  return {
    bestMs: times[0]!,
    medianMs: times[Math.floor(times.length / 2)]!,
    hashBestMs: hashTimes[0]!,
    baseRss,
    maxRss,
  };
}

function runChild(platformId: string, scenario: Scenario): ChildResult {
  const self = fileURLToPath(import.meta.url);
  const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
  const r = spawnSync(tsx, [self, '--child', platformId, scenario], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, NODE_OPTIONS: '--expose-gc' },
  });
  if (r.status !== 0) throw new Error(`bench child ${platformId} ${scenario} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

const mibs = (ms: number): string => (SIZE / MIB / (ms / 1000)).toFixed(0).padStart(6);
const mb = (b: number): string => (b / MIB).toFixed(0).padStart(4);

if (process.argv[2] === '--child') {
  const result = await child(process.argv[3]!, process.argv[4] as Scenario);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  console.log(
    `fwsign signing bench: ${SIZE / MIB} MiB image, best of ${RUNS} runs after a warm-up, node ${process.version}`,
  );
  for (const platformId of PLATFORMS) {
    const hashName = platformId.includes('CC3220SF') ? 'SHA-1' : 'SHA-256';
    const scenarios: Scenario[] = platformId.includes('CC3220SF')
      ? ['hash+sha256', 'sign', 'sign+embedded', 'stream-null', 'stream-file']
      : ['sign', 'sign+embedded', 'stream-null', 'stream-file'];
    const results = new Map(scenarios.map((s) => [s, runChild(platformId, s)] as const));
    console.log(
      `\n${platformId}  (ratio = best node:crypto ${hashName} of the same buffer, measured interleaved in the same process / best scenario time)`,
    );
    console.log(
      '  scenario                                          MiB/s  baseline MiB/s  ratio  peak RSS  growth  growth/image',
    );
    const label: Record<Scenario, string> = {
      'hash+sha256': `node:crypto ${hashName} + SHA-256 (sign with reportSha256)`,
      sign: 'signPayload: hash + signature (detached object)',
      'sign+embedded': 'signPayload: JSONEmbedded object in memory',
      'stream-null': 'signPayloadToStream: JSONEmbedded streamed out',
      'stream-file': 'signPayloadToStream: file -> file (baseline reads file)',
    };
    for (const [s, r] of results) {
      const growth = r.maxRss - r.baseRss;
      console.log(
        `  ${label[s].padEnd(49)} ${mibs(r.bestMs)}  ${mibs(r.hashBestMs).padStart(14)}  ${(r.hashBestMs / r.bestMs).toFixed(2).padStart(5)}  ${mb(r.maxRss)} MiB ${mb(growth)} MiB  ${(growth / SIZE).toFixed(2).padStart(5)}x`,
      );
    }
  }
}
