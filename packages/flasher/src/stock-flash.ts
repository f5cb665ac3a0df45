/**
 * `fwsign flash` of an MCUboot-format image (what `fwsign pack` writes, or imgtool) through the
 * image group alone, so it works against stock SMP servers (MCUboot serial recovery, Zephyr's
 * smp_svr, Mynewt) as well as fwsign's verifier: learn the buffers, list the slots, upload
 * (windowed when the server advertises buffers), check the server lists the image by its
 * SHA-256 TLV, then with `boot` mark it for test (or confirm it), reset, and see it run.
 */
import { SmpFwsignCommand, SmpGroup, SmpOp, SmpOsCommand } from '@fwsign/protocol';
import { sha256 } from './digest.js';
import { FlasherError } from './errors.js';
import { parseBootLine } from './fwsign-group.js';
import { readImageState, writeImageState, type ImageSlot } from './image-state.js';
import { LineQueue } from './line-queue.js';
import { formatVersion, parseMcubootImage } from './mcuboot-image.js';
import { readParams, type DeviceParams } from './flash.js';
import { SmpClient, type SmpClientOptions } from './smp-client.js';
import type { Transport } from './transport.js';
import { uploadImage, type UploadStats } from './upload.js';

export type StockFlashEvent =
  | { kind: 'params'; params: DeviceParams }
  | { kind: 'server'; server: ServerKind }
  | { kind: 'progress'; acked: number; total: number }
  | { kind: 'uploaded'; stats: UploadStats }
  | { kind: 'listed'; slots: { slot: number; version: string; hash: string; flags: string[] }[] }
  | { kind: 'reset' }
  | { kind: 'booted'; hash: string };

/** fwsign's verifier answers its own group; anything else is a stock server. */
export type ServerKind = 'fwsign-verifier' | 'stock';

export interface StockFlashOptions {
  transport: Transport;
  /** The MCUboot-format image file. */
  image: Uint8Array;
  /** Mark for test, reset, and see the image run. */
  boot?: boolean;
  /** With boot: confirm (permanent) instead of test; against a stock server after it booted. */
  confirm?: boolean;
  window?: number;
  timeoutMs?: number;
  firstChunkTimeoutMs?: number;
  /** How long the image may take to boot and answer (default 15 s). */
  bootTimeoutMs?: number;
  client?: SmpClientOptions;
  onEvent?: (event: StockFlashEvent) => void;
}

export interface StockFlashResult {
  server: ServerKind;
  /** The SHA-256 TLV, hex: the name the server lists the image by. */
  hash: string;
  version: string;
  upload: UploadStats;
  bytesPerSecond: number;
  booted: boolean;
  confirmed: boolean;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export async function identifyServer(client: SmpClient): Promise<ServerKind> {
  try {
    await client.read('fwsign status', SmpGroup.FWSIGN, SmpFwsignCommand.STATUS);
    return 'fwsign-verifier';
  } catch (err) {
    if (err instanceof FlasherError && err.code === 'NotSupported') return 'stock';
    throw err;
  }
}

export async function flashMcubootImage(opts: StockFlashOptions): Promise<StockFlashResult> {
  const emit = opts.onEvent ?? (() => undefined);
  const image = parseMcubootImage(opts.image);
  const hash = hex(image.hash);
  const client = new SmpClient(opts.transport, { timeoutMs: opts.timeoutMs, ...opts.client });
  try {
    const params = await readParams(client);
    emit({ kind: 'params', params });
    const server = await identifyServer(client);
    emit({ kind: 'server', server });
    const upload = await uploadImage(client, opts.image, {
      bufSize: params.bufSize,
      bufCount: params.bufCount,
      window: opts.window,
      sha: sha256(opts.image),
      timeoutMs: opts.timeoutMs,
      firstChunkTimeoutMs: opts.firstChunkTimeoutMs,
      onProgress: (acked, total) => emit({ kind: 'progress', acked, total }),
    });
    emit({ kind: 'uploaded', stats: upload });
    const listed = await readImageState(client);
    emit({
      kind: 'listed',
      slots: listed.map((s) => ({
        slot: s.slot,
        version: s.version,
        hash: hex(s.hash),
        flags: (['bootable', 'pending', 'confirmed', 'active', 'permanent'] as const).filter(
          (f) => s[f],
        ),
      })),
    });
    if (!listed.some((s) => s.slot !== 0 && hex(s.hash) === hash))
      throw new FlasherError(
        'UploadFailed',
        `after the upload the device lists no image with hash ${hash} (it lists ${listed.map((s) => `slot ${s.slot} ${hex(s.hash)}`).join(', ') || 'none'})`,
      );
    let booted = false;
    let confirmed = false;
    if (opts.boot) {
      // An application behind the verifier need not answer SMP, so with confirm the verifier
      // installs for good up front; without it the image boots on test and the next reset reverts
      // it unless the application confirms. A stock server's application answers, and confirms
      // once it runs.
      const upFront = Boolean(opts.confirm) && server === 'fwsign-verifier';
      const marked = await writeImageState(client, image.hash, upFront);
      if (!marked.some((s) => hex(s.hash) === hash && (s.pending || s.active)))
        throw new FlasherError(
          'DeviceError',
          `image test: the device did not mark ${hash} pending`,
        );
      await resetAndSee(client, server, hash, opts, emit);
      booted = true;
      confirmed = upFront;
      if (opts.confirm && server === 'stock') {
        const after = await writeImageState(client, undefined, true);
        confirmed = after.some((s) => s.active && s.confirmed && hex(s.hash) === hash);
      }
    }
    return {
      server,
      hash,
      version: formatVersion(image.version),
      upload,
      bytesPerSecond: opts.image.length / (upload.ms / 1000),
      booted,
      confirmed,
    };
  } finally {
    client.close();
  }
}

/**
 * Resets and waits for the image to run: fwsign's verifier names it in its boot line; a stock
 * server's application lists it as the active slot once it answers again.
 */
async function resetAndSee(
  client: SmpClient,
  server: ServerKind,
  hash: string,
  opts: StockFlashOptions,
  emit: (e: StockFlashEvent) => void,
): Promise<void> {
  const timeoutMs = opts.bootTimeoutMs ?? 15_000;
  const end = performance.now() + timeoutMs;
  const lines = new LineQueue();
  const stop = client.onText((t) => lines.push(t));
  try {
    await client
      .request(SmpOp.WRITE, SmpGroup.OS, SmpOsCommand.RESET, {}, { retries: 0 })
      .catch((err: unknown) => {
        // A device that resets before its answer is out looks like a timeout.
        if (!(err instanceof FlasherError) || err.code !== 'Timeout') throw err;
      });
    emit({ kind: 'reset' });
    if (server === 'fwsign-verifier') {
      for (;;) {
        const text = await lines.next(end - performance.now());
        if (text === undefined)
          throw new FlasherError(
            'BootUnconfirmed',
            `after the reset the verifier printed no boot line within ${timeoutMs} ms; expected it to boot ${hash}`,
          );
        const line = parseBootLine(text);
        if (!line) continue;
        if (line.sha256 === hash) break;
        throw new FlasherError(
          'BootUnconfirmed',
          `after the reset the verifier ${line.sha256 ? `booted ${line.sha256}` : `said "${line.result}"`}, not ${hash}`,
        );
      }
    } else {
      for (;;) {
        let slots: ImageSlot[] | undefined;
        try {
          slots = await readImageState(client);
        } catch (err) {
          if (!(err instanceof FlasherError) || err.code !== 'Timeout') throw err;
        }
        const active = slots?.find((s) => s.active);
        if (active && hex(active.hash) === hash) break;
        if (active || performance.now() > end)
          throw new FlasherError(
            'BootUnconfirmed',
            active
              ? `after the reset the device runs ${hex(active.hash)}, not ${hash}`
              : `after the reset the device did not answer image list within ${timeoutMs} ms`,
          );
      }
    }
    emit({ kind: 'booted', hash });
  } finally {
    stop();
    lines.close();
  }
}
