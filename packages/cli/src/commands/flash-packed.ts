/** `fwsign flash` of an MCUboot-format image: the image group alone (stock servers and the verifier). */
import {
  createProgress,
  flashMcubootImage,
  openTransport,
  type ProgressMode,
} from '@fwsign/flasher';
import { EXIT_OK, type CliIo } from '../command.js';

export interface PackedFlashArgs {
  port: string;
  baud: number;
  file: Uint8Array;
  mode: ProgressMode;
  timeoutMs: number;
  window: number | undefined;
  boot: boolean;
  confirm: boolean;
}

export async function flashPacked(io: CliIo, a: PackedFlashArgs): Promise<number> {
  const progress = createProgress(
    a.mode,
    (a.mode === 'json' ? io.stdout : io.stderr) as NodeJS.WritableStream & { isTTY?: boolean },
  );
  const transport = await openTransport(a.port, a.baud);
  try {
    const r = await flashMcubootImage({
      transport,
      image: a.file,
      boot: a.boot,
      confirm: a.confirm,
      timeoutMs: a.timeoutMs,
      window: a.window,
      onEvent: (e) => progress.event(e),
    });
    progress.done();
    const u = r.upload;
    if (a.mode === 'json') {
      io.stdout.write(
        `${JSON.stringify({ kind: 'summary', server: r.server, hash: r.hash, version: r.version, booted: r.booted, confirmed: r.confirmed, bytes: u.bytes, ms: Math.round(u.ms), bytesPerSecond: Math.round(r.bytesPerSecond), chunks: u.chunks, resent: u.resent })}\n`,
      );
    } else {
      io.stdout.write(
        `uploaded MCUboot image ${r.version} (hash ${r.hash}) to a ${r.server === 'stock' ? 'stock SMP server' : 'fwsign verifier'}: ${u.bytes} bytes in ${(u.ms / 1000).toFixed(1)} s, ${Math.round(r.bytesPerSecond)} B/s, ${u.chunks} chunks, ${u.resent} resent\n`,
      );
      if (r.booted)
        io.stdout.write(
          `booted: the device runs ${r.hash}${r.confirmed ? ' (confirmed)' : ' (on test: confirm it, or the next reset reverts)'}\n`,
        );
    }
    return EXIT_OK;
  } catch (err) {
    progress.done();
    throw err;
  } finally {
    await transport.close();
  }
}
