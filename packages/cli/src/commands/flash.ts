import {
  createProgress,
  flashImage,
  isMcubootImage,
  loadFlashInput,
  openTransport,
  type ProgressMode,
} from '@fwsign/flasher';
import { flashPacked } from './flash-packed.js';
import {
  choice,
  flag,
  integer,
  optionalString,
  parse,
  pathOf,
  requireString,
  UsageError,
} from '../args.js';
import { EXIT_OK, type Command } from '../command.js';
import { readInput } from '../files.js';
import { checkSerialPort } from './serial-port-input.js';

export const DEFAULT_CERTFILE = '/certs/codesign.crt';

export const flash: Command = {
  name: 'flash',
  usage: `fwsign flash --port /dev/ttyUSB0|tcp:host:port|unix:/path [--baud 115200] fw.signed.json|fw.mcuboot.bin [--boot]
  an MCUboot-format image (fwsign pack, imgtool) goes through the image group alone, so stock
  servers (MCUboot, Zephyr, Mynewt) take it too: upload, list, with --boot test, reset, see it run
  --confirm                     with --boot and an MCUboot image: confirm (permanent) instead of test
  --allow-downgrade             with --boot: install over an image of higher version (the verifier
                                refuses a downgrade otherwise, fwv 18; a raw image counts as 0.0.0)
  --payload fw.bin              the image of a JSONDetached signed object
  --signature sig.der           fw.signed.json is a raw binary, signed by this DER signature
  --alg sig-sha256-ecdsa        with --signature: sig-sha256-ecdsa (default) or sig-sha1-rsa
  --certfile ${DEFAULT_CERTFILE}  the trust anchor's name on the device (the job document's certfile)
  --boot                        mark the verified slot bootable, reset, and confirm by the verifier's boot
                                line naming the image's SHA-256 (exit 1 if it boots anything else)
  --quiet | --progress bar|json|none   progress: a bar on a TTY (default), JSON lines for CI logs
  --timeout ms (default 3000)   --window n (requests in flight; default the device's buf_count)`,
  async run(args, io) {
    const p = parse(
      args,
      {
        port: { type: 'string' },
        baud: { type: 'string' },
        payload: { type: 'string' },
        signature: { type: 'string' },
        alg: { type: 'string' },
        certfile: { type: 'string' },
        boot: { type: 'boolean' },
        confirm: { type: 'boolean' },
        'allow-downgrade': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        progress: { type: 'string' },
        timeout: { type: 'string' },
        window: { type: 'string' },
      },
      true,
    );
    const port = requireString(p, 'port');
    await checkSerialPort(port);
    if (p.positionals.length !== 1)
      throw new UsageError(`expected one image file, got ${p.positionals.length}`);
    const baud = integer(p, 'baud', 50, 4_000_000) ?? 115200;
    const progressFlag = choice(p, 'progress', ['bar', 'json', 'none'] as const, 'bar');
    const mode: ProgressMode = flag(p, 'quiet') || progressFlag === 'none' ? 'quiet' : progressFlag;
    const file = new Uint8Array(await readInput('the image', pathOf(io, p.positionals[0]!)));
    const timeoutMs = integer(p, 'timeout', 10, 600_000) ?? 3000;
    const window = integer(p, 'window', 1, 64);
    if (isMcubootImage(file))
      return flashPacked(io, {
        port,
        baud,
        file,
        mode,
        timeoutMs,
        window,
        boot: flag(p, 'boot'),
        confirm: flag(p, 'confirm'),
      });
    const payloadPath = optionalString(p, 'payload');
    const sigPath = optionalString(p, 'signature');
    const input = loadFlashInput({
      file,
      ...(payloadPath
        ? { payload: new Uint8Array(await readInput('--payload', pathOf(io, payloadPath))) }
        : {}),
      ...(sigPath
        ? { signature: new Uint8Array(await readInput('--signature', pathOf(io, sigPath))) }
        : {}),
      ...(optionalString(p, 'alg') ? { alg: optionalString(p, 'alg') } : {}),
    });
    const progressOut = mode === 'json' ? io.stdout : io.stderr;
    const progress = createProgress(
      mode,
      progressOut as NodeJS.WritableStream & { isTTY?: boolean },
    );
    const transport = await openTransport(port, baud);
    try {
      const result = await flashImage({
        transport,
        image: input.image,
        signature: input.signature,
        alg: input.alg,
        certfile: optionalString(p, 'certfile') ?? DEFAULT_CERTFILE,
        boot: flag(p, 'boot'),
        allowDowngrade: flag(p, 'allow-downgrade'),
        timeoutMs,
        window,
        onEvent: (e) => progress.event(e),
      });
      progress.done();
      const u = result.upload;
      if (mode !== 'json') {
        io.stdout.write(`device: ${result.text} (fwv ${result.fwv})\n`);
        io.stdout.write(
          `flashed ${u.bytes} bytes in ${(u.ms / 1000).toFixed(1)} s: ${Math.round(result.bytesPerSecond)} B/s, ${u.chunks} chunks, ${u.resent} resent; sha256 ${result.imageSha256}\n`,
        );
        if (result.booted)
          io.stdout.write(
            `booted: the verifier reported "FWV_OK, booting sha256 ${result.imageSha256}" after the reset\n`,
          );
      } else {
        io.stdout.write(
          `${JSON.stringify({ kind: 'summary', verified: true, fwv: result.fwv, text: result.text, booted: result.booted, bytes: u.bytes, ms: Math.round(u.ms), bytesPerSecond: Math.round(result.bytesPerSecond), chunks: u.chunks, resent: u.resent, sha256: result.imageSha256 })}\n`,
        );
      }
      return EXIT_OK;
    } catch (err) {
      progress.done();
      throw err;
    } finally {
      await transport.close();
    }
  },
};
