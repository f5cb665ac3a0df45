/**
 * `fwsign demo` against the emulated board (QEMU running the verifier firmware), and its serial
 * path against a QEMU pseudo-terminal standing in for a USB adapter.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeTrustAnchorTable } from '@fwsign/protocol';
import { parseCertificate, trustAnchorFromCertificate } from '@fwsign/signing-engine';
import { QemuBoard, locateFirmware } from '@fwsign/harness';
import { fwsign, tempDir } from '../helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('fwsign demo', () => {
  it('signs, flashes and boots the test application on the qemu board, printing each step, the verdict and the banner', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const r = await fwsign(dir, 'demo');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/== 1\. create a development key and code-signing certificate/);
    expect(r.stdout).toMatch(/SHA256withECDSA, JSONEmbedded: signed object of \d+ bytes/);
    expect(r.stdout).toMatch(
      /"streamname":"AFR_OTA-[0-9a-f-]{36}",.*"certfile":"\/certs\/codesign.crt","fileType":0,"sig-sha256-ecdsa":"/,
    );
    expect(r.stdout).toMatch(/board: qemu mps2-an386 \(socket\), UART at unix:/);
    expect(r.stdout).toMatch(/flash over the UART at 115200 baud with the flasher/);
    expect(r.stdout).toContain('device verdict: FWV_OK (fwv 0) "verified"');
    expect(r.stdout).toContain('banner: fwsign-demo-app v1');
    expect(r.stdout).toMatch(/demo: OK in \d+\.\d s\n$/);
  }, 60_000);

  it('refuses --board serial without the key, certificate, image and port the board needs', async () => {
    const r = await fwsign('/', 'demo', '--board', 'serial', '--port', '/dev/ttyUSB0');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--board serial expected --port, --key, --cert and --image/);
  });

  it('drives a board on a serial path (a QEMU pty) with the key it was provisioned for; a wrong key is refused by the device', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const key = join(dir, 'signer.key');
    const cert = join(dir, 'signer.crt');
    for (const [k, c] of [
      [key, cert],
      [`${key}.other`, `${cert}.other`],
    ] as const) {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-keyout',
          k,
          '-out',
          c,
          '-days',
          '2',
          '-subj',
          '/CN=demo serial',
          '-addext',
          'extendedKeyUsage=codeSigning',
        ],
        { stdio: 'pipe' },
      );
    }
    const certPem = execFileSync('cat', [cert], { encoding: 'utf8' });
    const image = join(dir, 'app.bin');
    writeFileSync(image, locateFirmware('mps2-an386').app(2));
    const board = new QemuBoard({ uart: 'pty', holdUart: false });
    cleanups.push(() => board.stop());
    await board.start({
      anchors: encodeTrustAnchorTable([
        trustAnchorFromCertificate(parseCertificate(certPem), '/certs/codesign.crt'),
      ]),
    });
    const ok = await fwsign(
      dir,
      'demo',
      '--board',
      'serial',
      '--port',
      board.serialPath(),
      '--key',
      'signer.key',
      '--cert',
      'signer.crt',
      '--image',
      'app.bin',
      '--baud',
      '0',
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('device verdict: FWV_OK (fwv 0) "verified"');
    expect(ok.stdout).toContain('banner: fwsign-demo-app v2');
    // The board now runs the app; reset it into the verifier through QEMU and try a key it does not trust.
    await board.reset();
    const bad = await fwsign(
      dir,
      'demo',
      '--board',
      'serial',
      '--port',
      board.serialPath(),
      '--key',
      'signer.key.other',
      '--cert',
      'signer.crt.other',
      '--image',
      'app.bin',
      '--baud',
      '0',
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(
      'device verdict: FWV_ERR_SIGNATURE (fwv 1) "signature does not match the image and key"',
    );
    expect(bad.stderr).toMatch(/fwsign demo: FAILED: the device refused the image/);
  }, 90_000);
});
