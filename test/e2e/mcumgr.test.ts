/**
 * The Go mcumgr CLI (a stock SMP client, not written for fwsign) drives the verifier on each
 * emulated board: echo, image list, upload, test, reset, confirm. A raw image's signature
 * travels in fwsign's group (DeviceSession) between upload and test; an image made by
 * `fwsign pack` (MCUboot's format, signature in its TLVs) goes in with mcumgr alone; a tested
 * image not confirmed is reverted by the reset after its boot (image test, reset, reset), one
 * the application confirmed stays (image test, reset, image confirm, reset); an older version
 * is refused.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packMcubootImage, parseVersion, SerialTransport } from '@fwsign/flasher';
import { DeviceSession, QemuBoard } from '@fwsign/harness';
import { ecKey, CERTFILE } from '../../packages/harness/test/keys.js';
import { mcumgr, peer, skipMessage } from './support/peers.js';
import { MACHINES, firmwareFor } from './support/scenario.js';

const MCUMGR = peer('mcumgr');
if (!MCUMGR) console.log(skipMessage('mcumgr'));

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe.skipIf(!MCUMGR)('mcumgr (Go CLI) against the verifier', () => {
  let board: QemuBoard | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await board?.stop();
    board = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A short fwsign-group session on the pty, closed again so mcumgr has it to itself. */
  async function withSession<T>(fn: (s: DeviceSession) => Promise<T>): Promise<T> {
    const t = await SerialTransport.open({ path: board!.serialPath(), baudRate: 115200 });
    const s = new DeviceSession(t);
    try {
      await s.sync();
      return await fn(s);
    } finally {
      s.close();
      await t.close();
    }
  }

  for (const machine of MACHINES) {
    it(`${machine}: echo, list, upload, test, reset, confirm; a packed image with stock commands only: reverted by the reset after its boot unless confirmed, kept once confirmed; an older one refused`, async () => {
      const firmware = firmwareFor(machine);
      const key = ecKey();
      dir = mkdtempSync(join(tmpdir(), 'fwsign-mcumgr-'));
      board = new QemuBoard({ machine, uart: 'pty', holdUart: false, firmware });
      await board.start({ anchors: key.anchors });
      const dev = board.serialPath();
      const run = async (...args: string[]): Promise<string> => {
        const r = await mcumgr(MCUMGR!, dev, args);
        expect(r.stderr, `mcumgr ${args.join(' ')}`).toBe('');
        expect(r.code, `mcumgr ${args.join(' ')}: ${r.stdout}`).toBe(0);
        return r.stdout;
      };

      // QEMU drops output until it notices a reader: the first echo may need mcumgr's retries.
      expect(await run('echo', 'hello from mcumgr')).toContain('hello from mcumgr');
      const long = 'x'.repeat(600); // no 256-character cut
      const echoed = await mcumgr(MCUMGR!, dev, ['echo', long], { mtu: 1024 });
      expect(echoed.stdout.trim()).toBe(long);
      expect(await run('image', 'list')).not.toContain('slot=');

      const app = firmware.app(1);
      const path = join(dir, 'app-v1.bin');
      writeFileSync(path, app);
      expect(await run('image', 'upload', path)).toContain('Done');
      const listed = await run('image', 'list');
      expect(listed).toContain('slot=1');
      expect(listed).toContain(`hash: ${sha256(app)}`);

      // Without a signature the device refuses to mark the image for test.
      const refused = await mcumgr(MCUMGR!, dev, ['image', 'test', sha256(app)]);
      // mcumgr prints the v1 rc (MGMT_ERR_EUNKNOWN, the translation of IMG_MGMT_ERR_UNKNOWN) and exits 0
      expect(refused.stdout.trim()).toBe('Error: 1');
      await withSession(async (s) => {
        expect((await s.signature(key.sign(app), 'sig-sha256-ecdsa', CERTFILE)).fwv).toBe(0);
      });
      const tested = await run('image', 'test', sha256(app));
      expect(tested).toMatch(/slot=1[\s\S]*flags: pending/);
      await run('reset');

      // The application answers echo and confirms itself (its confirm hook); then back to the
      // verifier, which lists what it installed, confirmed.
      expect(await run('echo', 'app')).toContain('app');
      expect(await run('image', 'confirm')).toMatch(/slot=0[\s\S]*flags: active confirmed/);
      await withSession(async (s) => s.reset(1));
      const after = await run('image', 'list');
      expect(after).toMatch(
        new RegExp(`slot=0[\\s\\S]*flags: active confirmed[\\s\\S]*hash: ${sha256(app)}`),
      );

      // Stock commands only: a packed v2 (version 1.1.0) is uploaded, tested, and boots.
      const packedFor = (version: string, payload: Uint8Array): string => {
        const img = packMcubootImage({
          payload,
          signature: key.sign(payload),
          alg: 'sig-sha256-ecdsa',
          certfile: CERTFILE,
          version: parseVersion(version),
        });
        const file = join(dir!, `app-${version}.img`);
        writeFileSync(file, img);
        return file;
      };
      const app2 = firmware.app(2);
      expect(await run('image', 'upload', packedFor('1.1.0', app2))).toContain('Done');
      const hashOf = (list: string): string => {
        const m = /slot=1[\s\S]*?hash: ([0-9a-f]{64})/.exec(list);
        expect(m, list).not.toBeNull();
        return m![1]!;
      };
      const packedList = await run('image', 'list');
      expect(packedList).toMatch(/slot=1\s+version: 1\.1\.0/);
      const v2hash = hashOf(packedList);
      expect(await run('image', 'test', v2hash)).toMatch(/slot=1[\s\S]*pending/);
      await run('reset');
      expect(await run('echo', 'v2 runs')).toContain('v2 runs');
      // Not confirmed: the next reset returns to v1, for good.
      await run('reset');
      expect(await run('echo', 'v1 back')).toContain('v1 back');
      await withSession(async (s) => s.reset(1));
      const reverted = await run('image', 'list');
      expect(reverted).toMatch(
        new RegExp(
          `slot=0\\s+version: 0\\.0\\.0[\\s\\S]*flags: active confirmed[\\s\\S]*hash: ${sha256(app)}`,
        ),
      );
      expect(reverted).not.toContain(v2hash);

      // Again, and this time the application confirms it: it stays across resets.
      expect(await run('image', 'upload', packedFor('1.1.0', app2))).toContain('Done');
      await run('image', 'test', v2hash);
      await run('reset');
      expect(await run('image', 'confirm')).toMatch(/slot=0\s+version: 1\.1\.0[\s\S]*confirmed/);
      await run('reset');
      expect(await run('echo', 'v2 stays')).toContain('v2 stays');
      await withSession(async (s) => s.reset(1));
      expect(await run('image', 'list')).toMatch(
        new RegExp(
          `slot=0\\s+version: 1\\.1\\.0[\\s\\S]*flags: active confirmed[\\s\\S]*hash: ${v2hash}`,
        ),
      );

      // An older version, validly signed: image test refuses it (MGMT_ERR_EBADSTATE, v1).
      await run('image', 'upload', packedFor('1.0.5', app));
      const older = await mcumgr(MCUMGR!, dev, [
        'image',
        'test',
        hashOf(await run('image', 'list')),
      ]);
      expect(older.stdout.trim()).toBe('Error: 6');
      key.dispose();
    }, 180_000);
  }
});
