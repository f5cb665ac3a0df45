import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ResultCode, SmpError, SmpFwsignCommand, SmpGroup, SmpOsCommand } from '@fwsign/protocol';
import {
  FlasherError,
  flashImage,
  fwsignStep,
  MockDevice,
  readStatus,
  SmpClient,
  uploadImage,
} from '../src/index.js';
import { anchorTable, CERTFILE, ecKey, makeImage, signEc } from './helpers.js';

const key = ecKey();
const other = ecKey('/certs/other.crt');
const table = anchorTable(key, other);
const image = makeImage(20_000, 5);
const devices: MockDevice[] = [];
function device(opts: Partial<ConstructorParameters<typeof MockDevice>[0]> = {}): MockDevice {
  const d = new MockDevice({ trustAnchorTable: table, slotSize: 64 * 1024, ...opts });
  devices.push(d);
  return d;
}
afterAll(() => devices.forEach((d) => d.stop()));

async function flashTo(
  d: MockDevice,
  sig: Uint8Array,
  extra: { certfile?: string; alg?: string; img?: Uint8Array } = {},
) {
  return flashImage({
    transport: d.connect(),
    image: extra.img ?? image,
    signature: sig,
    alg: extra.alg ?? 'sig-sha256-ecdsa',
    certfile: extra.certfile ?? CERTFILE,
    timeoutMs: 500,
  });
}

describe('MockDevice verifies for real', () => {
  it('verifies an image signed with the anchor named by certfile', async () => {
    const d = device();
    const result = await flashTo(d, signEc(key, image));
    expect(result).toMatchObject({ verified: true, fwv: ResultCode.OK, text: 'verified' });
    expect(Buffer.compare(d.state.staging.data.subarray(0, image.length), image)).toBe(0);
    expect(d.state.verified).toBe(true);
  });

  it('verifies a signature made by the OpenSSL CLI (independent signer)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fwsign-flasher-'));
    try {
      writeFileSync(join(dir, 'key.pem'), key.privateKey.export({ format: 'pem', type: 'pkcs8' }), {
        mode: 0o600,
      });
      writeFileSync(join(dir, 'fw.bin'), image);
      execFileSync('openssl', [
        'dgst',
        '-sha256',
        '-sign',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'fw.sig'),
        join(dir, 'fw.bin'),
      ]);
      const result = await flashTo(device(), new Uint8Array(readFileSync(join(dir, 'fw.sig'))));
      expect(result.verified).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const refusals: Array<
    [string, () => { sig: Uint8Array; certfile?: string; alg?: string; img?: Uint8Array }, number]
  > = [
    [
      'a tampered image',
      () => ({
        sig: signEc(key, image),
        img: Uint8Array.from(image, (b, i) => (i === 1234 ? b ^ 1 : b)),
      }),
      ResultCode.ERR_SIGNATURE,
    ],
    ['a signature by another key', () => ({ sig: signEc(other, image) }), ResultCode.ERR_SIGNATURE],
    [
      'an unknown certfile',
      () => ({ sig: signEc(key, image), certfile: '/certs/nobody.crt' }),
      ResultCode.ERR_UNKNOWN_ANCHOR,
    ],
    [
      'an RSA algorithm against an EC anchor',
      () => ({ sig: signEc(key, image), alg: 'sig-sha1-rsa' }),
      ResultCode.ERR_ALG_MISMATCH,
    ],
    [
      'an unknown algorithm',
      () => ({ sig: signEc(key, image), alg: 'sig-md5-rsa' }),
      ResultCode.ERR_UNKNOWN_ALG,
    ],
    [
      'a signature that is not strict DER',
      () => ({ sig: Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01]) }),
      ResultCode.ERR_DER,
    ],
  ];
  for (const [what, make, fwv] of refusals) {
    it(`refuses ${what} with fwv ${fwv}, and the flash fails with NotVerified`, async () => {
      const d = device();
      const { sig, ...extra } = make();
      const err = (await flashTo(d, sig, extra).catch((e: unknown) => e)) as FlasherError;
      expect(err).toBeInstanceOf(FlasherError);
      expect(err.code).toBe('NotVerified');
      expect(err.fwv).toBe(fwv);
      expect(err.message).toContain(`(fwv ${fwv})`);
      expect(d.state.verified).toBe(false);
    });
  }

  it('refuses to verify when the uploaded bytes do not match the SHA-256 sent with the first chunk', async () => {
    const d = device();
    const client = new SmpClient(d.connect(), { timeoutMs: 500 });
    // As the firmware (and Zephyr): the last chunk is answered match: false, and the slot stays unverifiable.
    const up = (await uploadImage(client, image, {
      bufSize: 1024,
      bufCount: 2,
      sha: new Uint8Array(32),
    }).catch((e: unknown) => e)) as FlasherError;
    expect(up).toMatchObject({ code: 'DeviceError' });
    expect(up.message).toContain('does not match');
    expect((await readStatus(client)).staging).toMatchObject({
      state: 'hash-mismatch',
      len: image.length,
    });
    expect(
      await fwsignStep(client, 'sig', SmpFwsignCommand.SIGNATURE, {
        alg: 'sig-sha256-ecdsa',
        sig: signEc(key, image),
        certfile: CERTFILE,
      }),
    ).toEqual({ rc: 0, fwv: 0, text: 'signature stored, not verified yet' });
    const v = await fwsignStep(client, 'verify', SmpFwsignCommand.VERIFY, {});
    expect(v).toEqual({
      rc: SmpError.ECORRUPT,
      fwv: ResultCode.ERR_HASH_MISMATCH,
      text: 'uploaded image does not match the SHA-256 sent with it',
    });
    const m = await fwsignStep(client, 'mark', SmpFwsignCommand.MARK_BOOTABLE, {});
    expect(m).toEqual({
      rc: SmpError.EBADSTATE,
      fwv: ResultCode.ERR_NOT_VERIFIED,
      text: 'slot has not been verified',
    });
    client.close();
  });

  it('refuses an image larger than the slot before a byte of it is sent', async () => {
    const d = device({ slotSize: 8 * 1024 });
    const err = (await flashTo(d, signEc(key, image)).catch((e: unknown) => e)) as FlasherError;
    expect(err.code).toBe('ImageTooLarge');
    expect(err.message).toBe(
      "image of 20000 bytes does not fit the device's slot of 8192 bytes; nothing was sent",
    );
    expect(d.state.upload).toBeUndefined();
  });

  it('with boot: marks bootable, resets, and confirms the active slot now holds the image', async () => {
    const d = device({ bootBanner: 'fwsign-mock booted' });
    const texts: string[] = [];
    const result = await flashImage({
      transport: d.connect(),
      image,
      signature: signEc(key, image),
      alg: 'sig-sha256-ecdsa',
      certfile: CERTFILE,
      boot: true,
      timeoutMs: 300,
      client: { onText: (t) => texts.push(t) },
    });
    expect(result.booted).toBe(true);
    expect(Buffer.compare(d.state.active.data.subarray(0, image.length), image)).toBe(0);
    expect(texts).toEqual([
      `fwsign-verifier: FWV_OK, booting sha256 ${result.imageSha256}`,
      'fwsign-mock booted',
    ]);
    // Now the application runs, as on the board: echo and reset only; reset with boot_mode 1 stays in the verifier.
    const client = new SmpClient(d.connect(), { timeoutMs: 300, onText: (t) => texts.push(t) });
    expect(await client.write('echo', SmpGroup.OS, SmpOsCommand.ECHO, { d: 'app?' })).toEqual({
      r: 'app?',
    });
    expect(((await readStatus(client).catch((e: unknown) => e)) as FlasherError).smpRc).toBe(
      SmpError.ENOTSUP,
    );
    expect(await client.write('reset', SmpGroup.OS, SmpOsCommand.RESET, { boot_mode: 1 })).toEqual(
      {},
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(texts.at(-1)).toBe('fwsign-verifier: staying on request, serving SMP');
    expect((await readStatus(client)).active).toMatchObject({
      state: 'bootable',
      len: image.length,
    });
    client.close();
  });

  it("with boot: fails with BootUnconfirmed and the verifier's reason when the marked image does not boot", async () => {
    const d = device({ bootBanner: 'fwsign-mock booted' });
    const err = (await flashImage({
      transport: d.connect(),
      image,
      signature: signEc(key, image),
      alg: 'sig-sha256-ecdsa',
      certfile: CERTFILE,
      boot: true,
      timeoutMs: 300,
      // Flash decays between the mark and the reset: the verifier refuses the active image at boot.
      onEvent: (e) => void (e.kind === 'bootable' && (d.state.active.data[10]! ^= 1)),
    }).catch((e: unknown) => e)) as FlasherError;
    expect(err).toBeInstanceOf(FlasherError);
    expect(err.code).toBe('BootUnconfirmed');
    expect(err.message).toBe(
      'after the reset the verifier did not boot the image: FWV_ERR_SIGNATURE',
    );
  });

  it('with boot: a verified image the verifier then refuses to enter (its next line) is not a boot', async () => {
    const d = device({ flavour: 'fwsign' });
    const link = d.connect();
    // As port/cortex-m/main.c prints when port_jump finds the vector table unusable.
    const refusing: typeof link = {
      write: (b) => link.write(b),
      close: () => link.close(),
      subscribe: (l) =>
        link.subscribe({
          ...l,
          data: (b) =>
            l.data(
              Buffer.from(b).toString('latin1').includes('booting sha256')
                ? Buffer.concat([
                    b,
                    Buffer.from('fwsign-verifier: FWV_ERR_NO_IMAGE, serving SMP\n'),
                  ])
                : b,
            ),
        }),
    };
    const err = (await flashImage({
      transport: refusing,
      image,
      signature: signEc(key, image),
      alg: 'sig-sha256-ecdsa',
      certfile: CERTFILE,
      boot: true,
      timeoutMs: 300,
    }).catch((e: unknown) => e)) as FlasherError;
    expect(err.code).toBe('BootUnconfirmed');
    expect(err.message).toBe(
      'the verifier verified the image but did not enter it: FWV_ERR_NO_IMAGE',
    );
  });

  it('with boot: fails with BootUnconfirmed, not a hang, when no boot line comes', async () => {
    const d = device({ flavour: 'fwsign' });
    const link = d.connect();
    // A device that swallows its console text (as a verifier older than the boot line would).
    const quiet: typeof link = {
      write: (b) => link.write(b),
      close: () => link.close(),
      subscribe: (l) =>
        link.subscribe({ ...l, data: (b) => (b[0] === 0x66 ? undefined : l.data(b)) }),
    };
    const err = (await flashImage({
      transport: quiet,
      image,
      signature: signEc(key, image),
      alg: 'sig-sha256-ecdsa',
      certfile: CERTFILE,
      boot: true,
      timeoutMs: 300,
      bootTimeoutMs: 500,
    }).catch((e: unknown) => e)) as FlasherError;
    expect(err.code).toBe('BootUnconfirmed');
    expect(err.message).toMatch(
      /^after the reset the verifier printed no boot line within 500 ms; expected "fwsign-verifier: FWV_OK, booting sha256 [0-9a-f]{64}"$/,
    );
  });

  it("as MCUboot: echo and MCUmgr parameters answer ENOTSUP (rc 8), and without fwsign's group the flash refuses before uploading", async () => {
    const d = device({ flavour: 'mcuboot' });
    const client = new SmpClient(d.connect(), { timeoutMs: 300 });
    const echo = (await client
      .write('echo', SmpGroup.OS, SmpOsCommand.ECHO, { d: 'x' })
      .catch((e: unknown) => e)) as FlasherError;
    expect(echo.code).toBe('NotSupported');
    expect(echo.smpRc).toBe(8);
    client.close();
    const err = (await flashTo(d, signEc(key, image)).catch((e: unknown) => e)) as FlasherError;
    expect(err.code).toBe('NotSupported');
    expect(err.message).toBe(
      'the device has no fwsign group: it is a stock SMP server (MCUboot, Zephyr, Mynewt), which takes MCUboot-format images; wrap the signed image with `fwsign pack` and flash that; nothing was sent',
    );
    expect((err.cause as FlasherError).message).toBe(
      'fwsign status: device answered MGMT_ERR_ENOTSUP (8)',
    );
    expect(d.state.upload).toBeUndefined();
  });
});
