/**
 * `fwsign flash` against a stock SMP server not written for fwsign: Apache Mynewt's slinky app on
 * the Linux native simulator (MCUboot-format image management, a pty as its UART, no MCUmgr
 * parameters: MCUboot's single-buffer defaults), natively or through qemu-i386 (harness
 * mynewt-sim.ts). The CLI uploads a packed image; it is listed by its SHA-256 TLV and version,
 * marked for test, the reset is answered; after a power cycle the simulator still lists the image
 * pending, as the Go mcumgr CLI sees it too. The simulator has no boot stage (slinky runs as the
 * process itself, its reset is `while (1);`), so no swap happens there: booting a tested image
 * is shown against the verifier instead (mcumgr.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '@fwsign/cli';
import {
  packMcubootImage,
  parseVersion,
  readImageState,
  SerialTransport,
  SmpClient,
  writeImageState,
} from '@fwsign/flasher';
import { SmpGroup, SmpOp, SmpOsCommand } from '@fwsign/protocol';
import { MynewtSim, mynewtSimCommand } from '@fwsign/harness';
import { mcumgr, peer, skipMessage } from './support/peers.js';

const SIM = peer('mynewt-slinky-sim');
const MCUMGR = peer('mcumgr');
const COMMAND = SIM ? mynewtSimCommand(SIM) : undefined;
if (!SIM) console.log(skipMessage('mynewt-slinky-sim'));
else if (!COMMAND)
  console.log(
    `${SIM} does not execute here (a 32-bit program: it needs Debian's libc6-i386 and a kernel with 32-bit support, or qemu-i386 from Debian's qemu-user): the Mynewt simulator tests are skipped`,
  );
else if (COMMAND.length > 1) console.log(`Mynewt simulator runs as: ${COMMAND.join(' ')}`);

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe.skipIf(!COMMAND)('fwsign flash against the Mynewt simulator (stock SMP server)', () => {
  let sim: MynewtSim | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the CLI uploads a packed image with MCUboot’s defaults; listed by its hash, tested, reset answered, still pending after a power cycle', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fwsign-sim-'));
    const flashFile = join(dir, 'flash.bin');
    sim = await MynewtSim.start(COMMAND!, flashFile);
    const payload = new Uint8Array(12_000).map((_, i) => (i * 13) & 0xff);
    const image = packMcubootImage({
      payload,
      signature: new Uint8Array(72).fill(1), // a stock server does not read fwsign's TLVs
      alg: 'sig-sha256-ecdsa',
      certfile: '/certs/codesign.crt',
      version: parseVersion('1.2.3'),
    });
    const file = join(dir, 'app.mcuboot.bin');
    writeFileSync(file, image);

    let stdout = '';
    let stderr = '';
    const code = await runCli(
      ['flash', '--port', sim.pty, '--progress', 'json', '--timeout', '5000', file],
      {
        cwd: dir,
        env: {},
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
      },
    );
    expect(code, stderr).toBe(0);
    const summary = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e.kind === 'summary');
    expect(summary).toMatchObject({ server: 'stock', version: '1.2.3', resent: 0 });
    const hash = summary!.hash as string;

    const transport = await SerialTransport.open({ path: sim.pty, baudRate: 115200 });
    try {
      const client = new SmpClient(transport, { timeoutMs: 5000 });
      try {
        const staged = (await readImageState(client)).find((s) => s.slot === 1);
        expect(hex(staged!.hash)).toBe(hash);
        expect(staged!.version).toBe('1.2.3');
        const tested = await writeImageState(client, staged!.hash, false);
        expect(tested.find((s) => s.slot === 1)?.pending).toBe(true);
        // Answered before the simulator stops in its reset loop.
        await client.request(SmpOp.WRITE, SmpGroup.OS, SmpOsCommand.RESET, {});
      } finally {
        client.close();
      }
    } finally {
      await transport.close();
    }

    // Power cycle: a new process on the same flash file keeps the image and its test request.
    await sim.stop();
    sim = await MynewtSim.start(COMMAND!, flashFile);
    if (MCUMGR) {
      const list = await mcumgr(MCUMGR, sim.pty, ['image', 'list']);
      expect(list.stdout).toMatch(
        new RegExp(`slot=1\\s+version: 1\\.2\\.3[\\s\\S]*flags: pending[\\s\\S]*hash: ${hash}`),
      );
    }
  }, 120_000);
});
