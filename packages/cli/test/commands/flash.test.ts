import { randomBytes, createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fwsign, tempDir } from '../helpers.js';
import { provisionedDevice, serveTcp } from '../flash-device.js';
import { servePty } from '../../../flasher/test/pty.js';
import { MockDevice } from '@fwsign/flasher';
import { QemuBoard, locateFirmware } from '@fwsign/harness';

const tmp = tempDir();
afterAll(tmp.cleanup);
const image = new Uint8Array(randomBytes(20_000));
const sha = createHash('sha256').update(image).digest('hex');

beforeAll(async () => {
  writeFileSync(join(tmp.dir, 'fw.bin'), image);
  for (const name of ['a', 'b']) {
    expect(
      (
        await fwsign(
          tmp.dir,
          'keys',
          'create',
          '--algorithm',
          'ecdsa-p256',
          '--subject',
          `CN=${name}`,
          '--key-out',
          `${name}.key`,
          '--cert-out',
          `${name}.crt`,
        )
      ).code,
    ).toBe(0);
  }
  expect(
    (
      await fwsign(
        tmp.dir,
        'sign',
        '--platform-id',
        'AmazonFreeRTOS-Default',
        '--key',
        'a.key',
        '--cert',
        'a.crt',
        '--in',
        'fw.bin',
        '--out',
        'fw.signed.json',
      )
    ).code,
  ).toBe(0);
  expect(
    (
      await fwsign(
        tmp.dir,
        'sign',
        '--platform-id',
        'AmazonFreeRTOS-Default',
        '--key',
        'b.key',
        '--cert',
        'b.crt',
        '--in',
        'fw.bin',
        '--out',
        'fw.other.json',
      )
    ).code,
  ).toBe(0);
  expect(
    (
      await fwsign(
        tmp.dir,
        'sign',
        '--platform-id',
        'AWSIoTDeviceManagement-SHA256-ECDSA',
        '--key',
        'a.key',
        '--cert',
        'a.crt',
        '--in',
        'fw.bin',
        '--out',
        'fw.detached.json',
        '--bucket',
        'b',
        '--object-version',
        '1',
      )
    ).code,
  ).toBe(0);
});

describe('fwsign flash', () => {
  it('flashes a signed image to MockDevice on a pseudo-terminal and exits 0 once the device verified it', async () => {
    const device = await provisionedDevice(tmp.dir, 'a.crt');
    const pty = await servePty(device);
    try {
      const r = await fwsign(
        tmp.dir,
        'flash',
        '--port',
        pty.path,
        '--baud',
        '115200',
        'fw.signed.json',
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('device: verified (fwv 0)\n');
      expect(r.stdout).toMatch(
        new RegExp(
          `^flashed 20000 bytes in [0-9.]+ s: \\d+ B/s, \\d+ chunks, 0 resent; sha256 ${sha}$`,
          'm',
        ),
      );
      expect(Buffer.compare(device.state.staging.data.subarray(0, image.length), image)).toBe(0);
    } finally {
      device.stop();
      await pty.close();
    }
  });

  it("exits 1 with the device's own code and text when it refuses the signature", async () => {
    const served = await serveTcp(await provisionedDevice(tmp.dir, 'a.crt'));
    try {
      const r = await fwsign(tmp.dir, 'flash', '--port', served.port, '--quiet', 'fw.other.json');
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        'fwsign flash: NotVerified: device did not verify the slot: signature does not match the image and key (fwv 1)\n',
      );
      expect(served.device.state.verified).toBe(false);
    } finally {
      await served.close();
    }
  });

  it('writes JSON-lines progress and a JSON summary with --progress json', async () => {
    const served = await serveTcp(await provisionedDevice(tmp.dir, 'a.crt'));
    try {
      const r = await fwsign(
        tmp.dir,
        'flash',
        '--port',
        served.port,
        '--progress',
        'json',
        'fw.signed.json',
      );
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string });
      const kinds = lines.map((l) => l.kind);
      expect(kinds[0]).toBe('params');
      expect(kinds).toContain('progress');
      expect(lines.find((l) => l.kind === 'verify')).toMatchObject({ fwv: 0, text: 'verified' });
      expect(lines.at(-1)).toMatchObject({
        kind: 'summary',
        verified: true,
        bytes: 20000,
        sha256: sha,
      });
    } finally {
      await served.close();
    }
  });

  it('with --boot marks the slot bootable, resets, and confirms the new image', async () => {
    const served = await serveTcp(await provisionedDevice(tmp.dir, 'a.crt'));
    try {
      const r = await fwsign(
        tmp.dir,
        'flash',
        '--port',
        served.port,
        '--quiet',
        '--boot',
        'fw.signed.json',
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(
        `booted: the verifier reported "FWV_OK, booting sha256 ${sha}" after the reset\n`,
      );
      expect(Buffer.compare(served.device.state.active.data.subarray(0, image.length), image)).toBe(
        0,
      );
      expect(served.device.state.running).toBe('app');
      // The board now runs its application: flash asks it into the verifier (boot_mode 1) itself.
      const again = await fwsign(
        tmp.dir,
        'flash',
        '--port',
        served.port,
        '--quiet',
        'fw.signed.json',
      );
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('device: verified (fwv 0)');
      expect(served.device.state.running).toBe('verifier');
      // And by hand: device reset --bootloader from the application.
      const boot = await fwsign(
        tmp.dir,
        'flash',
        '--port',
        served.port,
        '--quiet',
        '--boot',
        'fw.signed.json',
      );
      expect(boot.code, boot.stderr).toBe(0);
      expect(served.device.state.running).toBe('app');
      const r2 = await fwsign(tmp.dir, 'device', 'reset', '--bootloader', '--port', served.port);
      expect(r2).toMatchObject({
        code: 0,
        stdout: 'reset into the bootloader requested (boot_mode 1)\n',
      });
      await new Promise((res) => setTimeout(res, 200));
      expect(served.device.state.running).toBe('verifier');
    } finally {
      await served.close();
    }
  });

  it('with --boot exits 1 when the verifier does not boot the marked image, naming its reason', async () => {
    const served = await serveTcp(await provisionedDevice(tmp.dir, 'a.crt'));
    // The active slot decays after the mark: the verifier refuses it at boot and says so.
    const device = served.device;
    const copy = device.state;
    const watch = setInterval(() => {
      if (copy.active.sha256 && copy.active.data[0] === image[0])
        copy.active.data[0] = image[0]! ^ 0xff;
    }, 1);
    try {
      const r = await fwsign(
        tmp.dir,
        'flash',
        '--port',
        served.port,
        '--quiet',
        '--boot',
        'fw.signed.json',
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        'fwsign flash: BootUnconfirmed: after the reset the verifier did not boot the image: FWV_ERR_SIGNATURE\n',
      );
      expect(device.state.running).toBe('verifier');
    } finally {
      clearInterval(watch);
      await served.close();
    }
  });

  it('takes a JSONDetached object with --payload, and a raw binary with --signature', async () => {
    const served = await serveTcp(await provisionedDevice(tmp.dir, 'a.crt'));
    try {
      const missing = await fwsign(
        tmp.dir,
        'flash',
        '--port',
        served.port,
        '--quiet',
        'fw.detached.json',
      );
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(
        'InvalidInput: signed image is JSONDetached: the payload is not inside it, pass --payload <file>',
      );
      const detached = await fwsign(
        tmp.dir,
        'flash',
        '--port',
        served.port,
        '--quiet',
        '--payload',
        'fw.bin',
        'fw.detached.json',
      );
      expect(detached.code, detached.stderr).toBe(0);
      const sig = Buffer.from(
        (JSON.parse(readFileSync(join(tmp.dir, 'fw.signed.json'), 'utf8')) as { signature: string })
          .signature,
        'base64',
      );
      writeFileSync(join(tmp.dir, 'fw.sig'), sig);
      const raw = await fwsign(
        tmp.dir,
        'flash',
        '--port',
        served.port,
        '--quiet',
        '--signature',
        'fw.sig',
        'fw.bin',
      );
      expect(raw.code, raw.stderr).toBe(0);
      expect(raw.stdout).toContain('device: verified (fwv 0)');
    } finally {
      await served.close();
    }
  });

  it('refuses an image larger than the slot before sending it', async () => {
    const served = await serveTcp(
      await provisionedDevice(tmp.dir, 'a.crt', { slotSize: 16 * 1024 }),
    );
    try {
      const r = await fwsign(tmp.dir, 'flash', '--port', served.port, '--quiet', 'fw.signed.json');
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        "fwsign flash: ImageTooLarge: image of 20000 bytes does not fit the device's slot of 16384 bytes; nothing was sent\n",
      );
      expect(served.device.state.upload).toBeUndefined();
    } finally {
      await served.close();
    }
  });

  it('exits 2 for a port that does not exist, pointing at fwsign device list, and on usage errors', async () => {
    const r = await fwsign(
      tmp.dir,
      'flash',
      '--port',
      join(tmp.dir, 'no-such-tty'),
      'fw.signed.json',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^fwsign flash: --port .*no-such-tty: no such serial port; `fwsign device list` shows the ports/,
    );
    expect((await fwsign(tmp.dir, 'flash', 'fw.signed.json')).code).toBe(2);
    const two = await fwsign(tmp.dir, 'flash', '--port', 'tcp:1', 'a', 'b');
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('expected one image file, got 2');
  });
});

describe('fwsign flash: stock servers and MCUboot-format images', () => {
  it('stops before sending anything to a server without fwsign’s group, naming fwsign pack', async () => {
    const ta = ['trust-anchors', '--cert', 'a.crt', '--name', '/certs/codesign.crt'];
    expect((await fwsign(tmp.dir, ...ta, '--out', 'mcuboot-anchors.bin')).code).toBe(0);
    const trustAnchorTable = new Uint8Array(readFileSync(join(tmp.dir, 'mcuboot-anchors.bin')));
    const device = new MockDevice({ flavour: 'mcuboot', trustAnchorTable });
    const served = await serveTcp(device);
    try {
      const r = await fwsign(tmp.dir, 'flash', '--port', served.port, '--quiet', 'fw.signed.json');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('fwsign flash: NotSupported: the device has no fwsign group');
      expect(r.stderr).toContain('`fwsign pack`');
      expect(device.state.upload).toBeUndefined();
    } finally {
      await served.close();
    }
  });

  it('flashes a packed image through the image group to the emulated board and sees it boot', async () => {
    const board = new QemuBoard({ uart: 'pty', holdUart: false });
    try {
      writeFileSync(join(tmp.dir, 'app.bin'), locateFirmware('mps2-an386').app(2));
      const sign = ['sign', '--platform-id', 'AmazonFreeRTOS-Default', '--key', 'a.key'];
      expect(
        (await fwsign(tmp.dir, ...sign, '--cert', 'a.crt', '--in', 'app.bin', '--out', 'app.json'))
          .code,
      ).toBe(0);
      const packed = await fwsign(
        tmp.dir,
        'pack',
        '--in',
        'app.json',
        '--version',
        '3.0.0',
        '--out',
        'app.img',
      );
      expect(packed.code).toBe(0);
      const hash = /hash ([0-9a-f]{64})/.exec(packed.stdout)![1]!;
      const anchors = await fwsign(
        tmp.dir,
        'trust-anchors',
        '--cert',
        'a.crt',
        '--name',
        '/certs/codesign.crt',
        '--out',
        'anchors.bin',
      );
      expect(anchors.code).toBe(0);
      await board.start({ anchors: new Uint8Array(readFileSync(join(tmp.dir, 'anchors.bin'))) });
      const r = await fwsign(
        tmp.dir,
        'flash',
        '--port',
        board.serialPath(),
        '--quiet',
        'app.img',
        '--boot',
        '--confirm', // for good: a tested image would be reverted by the next reset
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(`^uploaded MCUboot image 3\\.0\\.0 \\(hash ${hash}\\) to a fwsign verifier: `),
      );
      expect(r.stdout).toContain(`booted: the device runs ${hash} (confirmed)\n`);
      // The raw image (version 0.0.0) over the installed 3.0.0: refused until asked for.
      const down = ['flash', '--port', board.serialPath(), '--quiet', 'app.json', '--boot'];
      const refused = await fwsign(tmp.dir, ...down);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('image version is lower than the installed one (fwv 18)');
      const forced = await fwsign(tmp.dir, ...down, '--allow-downgrade');
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stdout).toContain('booted: the verifier reported "FWV_OK, booting sha256');
    } finally {
      await board.stop();
    }
  }, 90_000);
});
