/**
 * The flash flow: learn the device's buffers, check the slot, upload, hand over the signature, ask
 * the device to verify, and (with `boot`) mark bootable, reset and confirm the new image runs.
 * Success means the device said so; everything else is a FlasherError carrying its answer.
 */
import { ResultCode, SmpFwsignCommand, SmpGroup, SmpOp, SmpOsCommand } from '@fwsign/protocol';
import type { CborMap } from './cbor.js';
import { FlasherError } from './errors.js';
import { sha256 } from './digest.js';
import {
  fwsignStep,
  parseBootLine,
  readStatus,
  type BootLine,
  type DeviceStatus,
  type DeviceVerdict,
} from './fwsign-group.js';
import { SmpClient, type SmpClientOptions } from './smp-client.js';
import { uploadImage, type UploadStats } from './upload.js';
import { LineQueue } from './line-queue.js';
import type { Transport } from './transport.js';

export interface DeviceParams {
  bufSize: number;
  bufCount: number;
  /** false when the device does not answer MCUmgr parameters and defaults were assumed. */
  reported: boolean;
}

/** MCUboot's serial recovery buffer without MCUmgr parameters: 512 bytes, one at a time. */
export const DEFAULT_PARAMS: DeviceParams = { bufSize: 512, bufCount: 1, reported: false };

export type FlashEvent =
  | { kind: 'params'; params: DeviceParams }
  | { kind: 'bootloader' }
  | { kind: 'slot'; slotSize: number; imageSize: number }
  | { kind: 'progress'; acked: number; total: number }
  | { kind: 'uploaded'; stats: UploadStats }
  | { kind: 'verify'; fwv: number; text: string }
  | { kind: 'bootable'; text: string }
  | { kind: 'reset' }
  | { kind: 'booted'; sha256: string };

export interface FlashOptions {
  transport: Transport;
  image: Uint8Array;
  signature: Uint8Array;
  /** As in the OTA job document: `sig-sha256-ecdsa` or `sig-sha1-rsa`. */
  alg: string;
  /** The trust anchor's name on the device (the job document's certfile). */
  certfile: string;
  boot?: boolean;
  /** Requests in flight; default the device's buf_count. */
  window?: number;
  timeoutMs?: number;
  firstChunkTimeoutMs?: number;
  /** How long to wait, after asking for the reset, for the verifier's boot line (default 15 s). */
  bootTimeoutMs?: number;
  /** After the boot line, how long a refusal to enter the image may take to follow it (default 300 ms). */
  jumpSettleMs?: number;
  client?: SmpClientOptions;
  onEvent?: (event: FlashEvent) => void;
  /** A device answering from its application is reset into the verifier first (default true). */
  enterBootloader?: boolean;
  /** With boot: install even if the device's installed image has a higher version (a deliberate downgrade). */
  allowDowngrade?: boolean;
}

export interface FlashResult {
  verified: true;
  fwv: number;
  text: string;
  booted: boolean;
  imageSha256: string;
  upload: UploadStats;
  /** Image bytes over the upload's wall time. */
  bytesPerSecond: number;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

export async function readParams(client: SmpClient): Promise<DeviceParams> {
  try {
    const rsp = await client.read('MCUmgr parameters', SmpGroup.OS, SmpOsCommand.MCUMGR_PARAMS);
    const bufSize = num(rsp.buf_size);
    const bufCount = num(rsp.buf_count);
    if (!bufSize || !bufCount)
      throw new FlasherError(
        'ProtocolError',
        `MCUmgr parameters: expected buf_size and buf_count, got ${JSON.stringify(rsp)}`,
      );
    return { bufSize, bufCount, reported: true };
  } catch (err) {
    if (err instanceof FlasherError && err.code === 'NotSupported') return DEFAULT_PARAMS;
    throw err;
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const notFwsign = (cause: unknown): FlasherError =>
  new FlasherError(
    'NotSupported',
    'the device has no fwsign group: it is a stock SMP server (MCUboot, Zephyr, Mynewt), which takes MCUboot-format images; wrap the signed image with `fwsign pack` and flash that; nothing was sent',
    { cause },
  );

/**
 * fwsign's status, from the verifier. A device answering from its application (no fwsign group)
 * is asked once to reset into the bootloader (OS reset with boot_mode 1, as MCUboot and Zephyr
 * take it); if what answers then still has no fwsign group, it is a stock server.
 */
async function statusFromVerifier(
  client: SmpClient,
  opts: FlashOptions,
  emit: (e: FlashEvent) => void,
): Promise<DeviceStatus> {
  try {
    return await readStatus(client);
  } catch (err) {
    if (!(err instanceof FlasherError) || err.code !== 'NotSupported') throw err;
    if (opts.enterBootloader === false) throw notFwsign(err);
    await requestBootloader(client);
    emit({ kind: 'bootloader' });
    const end = performance.now() + (opts.bootTimeoutMs ?? 15_000);
    for (;;) {
      try {
        return await readStatus(client);
      } catch (again) {
        if (again instanceof FlasherError && again.code === 'NotSupported') throw notFwsign(again);
        if (!(again instanceof FlasherError) || again.code !== 'Timeout' || performance.now() > end)
          throw again;
      }
    }
  }
}

/** OS reset with boot_mode 1: the next boot stays in the bootloader. Its answer may be lost in the reset. */
export async function requestBootloader(client: SmpClient): Promise<void> {
  await client
    .request(SmpOp.WRITE, SmpGroup.OS, SmpOsCommand.RESET, { boot_mode: 1 }, { retries: 0 })
    .catch((err: unknown) => {
      if (!(err instanceof FlasherError) || err.code !== 'Timeout') throw err;
    });
}

export async function flashImage(opts: FlashOptions): Promise<FlashResult> {
  const emit = opts.onEvent ?? (() => undefined);
  const client = new SmpClient(opts.transport, { timeoutMs: opts.timeoutMs, ...opts.client });
  try {
    const params = await readParams(client);
    emit({ kind: 'params', params });
    // Without fwsign's group the device cannot verify, so nothing is sent to it.
    const status = await statusFromVerifier(client, opts, emit);
    emit({ kind: 'slot', slotSize: status.slotSize, imageSize: opts.image.length });
    if (opts.image.length > status.slotSize) {
      throw new FlasherError(
        'ImageTooLarge',
        `image of ${opts.image.length} bytes does not fit the device's slot of ${status.slotSize} bytes; nothing was sent`,
      );
    }
    const digest = sha256(opts.image);
    const deliver = async (): Promise<UploadStats> => {
      const stats = await uploadImage(client, opts.image, {
        bufSize: params.bufSize,
        bufCount: params.bufCount,
        window: opts.window,
        sha: digest,
        timeoutMs: opts.timeoutMs,
        firstChunkTimeoutMs: opts.firstChunkTimeoutMs,
        onProgress: (acked, total) => emit({ kind: 'progress', acked, total }),
      });
      emit({ kind: 'uploaded', stats });
      return stats;
    };
    let upload = await deliver();
    const handOver = async (): Promise<void> => {
      const s = await fwsignStep(client, 'fwsign signature', SmpFwsignCommand.SIGNATURE, {
        alg: opts.alg,
        sig: opts.signature,
        certfile: opts.certfile,
      });
      if (s.fwv !== ResultCode.OK) throw refused('device refused the signature', s);
    };
    // Signature and verify; a device that reset meanwhile lost its upload state and the signature
    // (RAM) and says so (no image, no signature): deliver them again, a bounded number of times.
    const verifySlot = async (): Promise<DeviceVerdict> => {
      for (let attempt = 0; ; attempt++) {
        await handOver();
        const v = await fwsignStep(client, 'fwsign verify', SmpFwsignCommand.VERIFY, {});
        emit({ kind: 'verify', fwv: v.fwv, text: v.text });
        if (attempt < 2 && v.fwv === ResultCode.ERR_NO_IMAGE) upload = await deliver();
        else if (attempt < 2 && v.fwv === ResultCode.ERR_NO_SIGNATURE) continue;
        else if (v.fwv !== ResultCode.OK) throw refused('device did not verify the slot', v);
        else return v;
      }
    };
    const v = await verifySlot();
    let booted = false;
    if (opts.boot) {
      await bootNewImage(client, digest, opts, emit, async () => void (await verifySlot()));
      booted = true;
    }
    return {
      verified: true,
      fwv: v.fwv,
      text: v.text,
      booted,
      imageSha256: hex(digest),
      upload,
      bytesPerSecond: opts.image.length / (upload.ms / 1000),
    };
  } finally {
    client.close();
  }
}

/** The device's refusal, its code and text unchanged. */
function refused(what: string, v: DeviceVerdict): FlasherError {
  return new FlasherError('NotVerified', `${what}: ${v.text} (fwv ${v.fwv})`, {
    fwv: v.fwv,
    smpRc: v.rc,
  });
}

/**
 * Marks the slot bootable, resets, and waits for the verifier's boot line naming the image's
 * SHA-256: the running application is not asked (it need not speak fwsign's group), the verifier
 * says what it verified and is about to run.
 */
async function bootNewImage(
  client: SmpClient,
  digest: Uint8Array,
  opts: FlashOptions,
  emit: (e: FlashEvent) => void,
  reverify: () => Promise<void>,
): Promise<void> {
  const m = await markBootable(client, reverify, opts.allowDowngrade === true);
  emit({ kind: 'bootable', text: m?.text ?? 'no answer; the device runs an application' });
  const want = hex(digest);
  const timeoutMs = opts.bootTimeoutMs ?? 15_000;
  // Listen before asking: the boot line may beat the reset's answer, or replace it.
  const lines = new LineQueue();
  const stop = client.onText((text) => lines.push(text));
  try {
    const line = await resetForBootLine(client, lines, performance.now() + timeoutMs);
    emit({ kind: 'reset' });
    if (!line)
      throw new FlasherError(
        'BootUnconfirmed',
        `after the reset the verifier printed no boot line within ${timeoutMs} ms; expected "fwsign-verifier: FWV_OK, booting sha256 ${want}"`,
      );
    if (line.sha256 !== want) throw notBooted(line, want);
    await checkEntered(lines, want, opts.jumpSettleMs ?? 300);
    emit({ kind: 'booted', sha256: want });
  } finally {
    stop();
    lines.close();
  }
}

/** MARK_BOOTABLE (again after verifying, if the device forgot its verdict in a reset). */
async function markBootable(
  client: SmpClient,
  reverify: () => Promise<void>,
  allowDowngrade: boolean,
): Promise<DeviceVerdict | undefined> {
  const mark = (): Promise<DeviceVerdict> =>
    fwsignStep(
      client,
      'fwsign mark-bootable',
      SmpFwsignCommand.MARK_BOOTABLE,
      allowDowngrade ? { allow_downgrade: true } : {},
    );
  let m: DeviceVerdict | undefined;
  try {
    m = await mark();
    if (m.fwv === ResultCode.ERR_NOT_VERIFIED) {
      // The device reset after verifying and forgot it; it verifies again before anything is marked.
      await reverify();
      m = await mark();
    }
  } catch (err) {
    // ENOTSUP here: the answer to a mark was lost and the device reset into an application, which
    // has no fwsign group. Whether the mark took effect, the verifier's boot line tells.
    if (!(err instanceof FlasherError) || err.code !== 'NotSupported') throw err;
  }
  if (m && m.fwv !== ResultCode.OK) throw refused('device refused to mark the slot bootable', m);
  return m;
}

/** Asks for the reset (again while it times out) and returns the first boot line before `end`. */
async function resetForBootLine(
  client: SmpClient,
  lines: LineQueue,
  end: number,
): Promise<BootLine | undefined> {
  const nextBootLine = async (): Promise<BootLine | undefined> => {
    for (;;) {
      const text = await lines.next(end - performance.now());
      if (text === undefined) return undefined;
      const line = parseBootLine(text);
      if (line) return line;
    }
  };
  const bootLine = nextBootLine();
  const attempts = 1 + client.retries;
  for (let i = 0; i < attempts; i++) {
    const answer = client
      .request(SmpOp.WRITE, SmpGroup.OS, SmpOsCommand.RESET, {}, { retries: 0 })
      .then(
        () => 'answered' as const,
        (err: unknown) => {
          // A device that reset before its answer got out looks like a timeout; the boot line decides.
          if (err instanceof FlasherError && err.code === 'Timeout') return 'timeout' as const;
          throw err;
        },
      );
    answer.catch(() => undefined); // raced below; a late rejection must not go unhandled
    const first = await Promise.race([answer, bootLine.then(() => 'line' as const)]);
    if (first !== 'timeout') break;
  }
  return bootLine;
}

function notBooted(line: BootLine, want: string): FlasherError {
  return new FlasherError(
    'BootUnconfirmed',
    line.sha256
      ? `after the reset the verifier booted sha256 ${line.sha256}, not the image sent (${want})`
      : `after the reset the verifier did not boot the image: ${line.result}`,
  );
}

/**
 * The verifier still refuses to enter an image whose vector table is unusable, and then says so on
 * the very next line; the application's own output (or silence) means it jumped. (A repeated boot
 * line for the same image is a second reset, from a resent request.)
 */
async function checkEntered(lines: LineQueue, want: string, settleMs: number): Promise<void> {
  for (let i = 0; i < 4; i++) {
    const after = await lines.next(settleMs);
    const next = after === undefined ? undefined : parseBootLine(after);
    if (!next) return;
    if (next.sha256 === want) continue;
    if (next.sha256) throw notBooted(next, want);
    throw new FlasherError(
      'BootUnconfirmed',
      `the verifier verified the image but did not enter it: ${next.result}`,
    );
  }
}
