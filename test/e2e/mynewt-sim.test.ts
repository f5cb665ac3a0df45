/**
 * `fwsign flash` against a stock SMP server not written for fwsign: Apache Mynewt's slinky app on
 * the Linux native simulator (MCUboot-format image management, a pty as its UART, no MCUmgr
 * parameters: MCUboot's single-buffer defaults). A packed image is uploaded, listed by its
 * SHA-256 TLV, marked for test and reported pending by the Go mcumgr CLI as well.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  flashMcubootImage,
  packMcubootImage,
  parseVersion,
  readImageState,
  SerialTransport,
  SmpClient,
  writeImageState,
} from '@fwsign/flasher';
import { mcumgr, peer, skipMessage } from './support/peers.js';

const SIM = peer('mynewt-slinky-sim');
const MCUMGR = peer('mcumgr');

/** The simulator is a 32-bit program: present is not enough, the kernel must run it. It prints
 * its pty at once when it does; probe it for 2 s with a scratch flash file. */
function runnable(path: string | undefined): boolean {
  if (!path) return false;
  const dir = mkdtempSync(join(tmpdir(), 'fwsign-sim-probe-'));
  try {
    const r = spawnSync(path, ['-f', join(dir, 'flash.bin')], { timeout: 2000, encoding: 'utf8' });
    return /uart0 at \/dev\/pts\/\d+/.test(`${r.stdout}${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const canRun = runnable(SIM);
if (!SIM) console.log(skipMessage('mynewt-slinky-sim'));
else if (!canRun)
  console.log(
    `${SIM} does not execute here (a 32-bit program: it needs Debian's libc6-i386 and a kernel with 32-bit support): the Mynewt simulator tests are skipped`,
  );

async function startSim(dir: string): Promise<{ proc: ChildProcess; pty: string }> {
  const proc = spawn(SIM!, ['-f', join(dir, 'flash.bin')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const pty = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`simulator printed no pty in 10 s: ${out}`)),
      10_000,
    );
    const look = (b: Buffer): void => {
      out += b.toString();
      const m = /uart0 at (\/dev\/pts\/\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', look);
    proc.stderr!.on('data', look);
    proc.once('exit', (code) => reject(new Error(`simulator exited (${code}): ${out}`)));
  });
  return { proc, pty };
}

describe.skipIf(!canRun)('fwsign flash against the Mynewt simulator (stock SMP server)', () => {
  let proc: ChildProcess | undefined;
  let dir: string | undefined;
  afterEach(() => {
    proc?.kill('SIGKILL');
    proc = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('uploads a packed image with MCUboot’s defaults, lists it by its hash, and marks it for test', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fwsign-sim-'));
    const sim = await startSim(dir);
    proc = sim.proc;
    const payload = new Uint8Array(12_000).map((_, i) => (i * 13) & 0xff);
    const image = packMcubootImage({
      payload,
      signature: new Uint8Array(72).fill(1), // a stock server does not read fwsign's TLVs
      alg: 'sig-sha256-ecdsa',
      certfile: '/certs/codesign.crt',
      version: parseVersion('1.2.3'),
    });
    const transport = await SerialTransport.open({ path: sim.pty, baudRate: 115200 });
    try {
      const r = await flashMcubootImage({ transport, image, timeoutMs: 5000 });
      expect(r.server).toBe('stock');
      expect(r.version).toBe('1.2.3');
      expect(r.upload.resent).toBe(0);
      const client = new SmpClient(transport, { timeoutMs: 5000 });
      try {
        const slots = await readImageState(client);
        const staged = slots.find((s) => s.slot === 1);
        expect(Buffer.from(staged!.hash).toString('hex')).toBe(r.hash);
        expect(staged!.version).toBe('1.2.3');
        const tested = await writeImageState(client, staged!.hash, false);
        expect(tested.find((s) => s.slot === 1)?.pending).toBe(true);
      } finally {
        client.close();
      }
    } finally {
      await transport.close();
    }
    if (MCUMGR) {
      const list = await mcumgr(MCUMGR, sim.pty, ['image', 'list']);
      expect(list.stdout).toMatch(/slot=1\s+version: 1\.2\.3[\s\S]*flags: pending/);
    }
  }, 120_000);
});
