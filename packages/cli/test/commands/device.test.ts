import { afterAll, describe, expect, it } from 'vitest';
import { fwsign, tempDir } from '../helpers.js';
import { provisionedDevice, serveTcp } from '../flash-device.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

describe('fwsign device', () => {
  it('echoes through the device, shows its buffers and slots, and resets it', async () => {
    expect(
      (
        await fwsign(
          tmp.dir,
          'keys',
          'create',
          '--algorithm',
          'ecdsa-p256',
          '--subject',
          'CN=d',
          '--key-out',
          'd.key',
          '--cert-out',
          'd.crt',
        )
      ).code,
    ).toBe(0);
    const served = await serveTcp(await provisionedDevice(tmp.dir, 'd.crt'));
    try {
      const echo = await fwsign(
        tmp.dir,
        'device',
        'echo',
        '--port',
        served.port,
        '--text',
        'ping 42',
      );
      expect(echo).toMatchObject({ code: 0, stdout: 'ping 42\n' });
      const status = await fwsign(tmp.dir, 'device', 'status', '--port', served.port);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toBe(
        'buffers: 2 × 1024 bytes\nslots: 65536 bytes each; stack peak 0 bytes\nactive: empty, 0 bytes, sha256 -\nstaging: empty, 0 bytes, sha256 -\n',
      );
      const served0 = served.device.served;
      const reset = await fwsign(tmp.dir, 'device', 'reset', '--port', served.port);
      expect(reset).toMatchObject({
        code: 0,
        stdout: 'reset requested; the device acknowledged\n',
      });
      expect(served.device.served).toBe(served0 + 1);
      expect(served.device.state.resetRequested).toBe(true);
    } finally {
      await served.close();
    }
  });

  it('lists serial ports (exit 0 even when there are none)', async () => {
    const r = await fwsign(tmp.dir, 'device', 'list');
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
  });

  it('exits 2 without a subcommand or --port, and 1 when nothing answers', async () => {
    const none = await fwsign(tmp.dir, 'device');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('expected a subcommand list, echo, reset or status, got ""');
    expect((await fwsign(tmp.dir, 'device', 'echo')).code).toBe(2);
    const dead = await fwsign(tmp.dir, 'device', 'echo', '--port', 'tcp:127.0.0.1:1');
    expect(dead.code).toBe(1);
    expect(dead.stderr).toMatch(
      /^fwsign device: TransportError: socket 127.0.0.1:1: cannot connect/,
    );
  });
});
