/**
 * The device conversation one step at a time, built from the flasher's SMP client and upload, for
 * scenarios that need to stop between steps (a power cut during mark-bootable) or read a refusal's
 * result code. Verdicts are returned, never thrown: a refused image is an outcome a test asserts.
 */
import { createHash } from 'node:crypto';
import {
  SmpFwsignCommand,
  SmpGroup,
  SmpImageCommand,
  SmpOp,
  SmpOsCommand,
  RESULT_CODES,
} from '@fwsign/protocol';
import {
  SmpClient,
  smpRc,
  uploadImage,
  type CborMap,
  type SmpClientOptions,
  type Transport,
  type UploadStats,
} from '@fwsign/flasher';

export interface DeviceVerdict {
  /** The device's fwsign result code (protocol.json resultCodes); 0 = verified. */
  fwv: number;
  /** Its name, e.g. FWV_ERR_SIGNATURE. */
  name: string;
  /** The text the device sent, unchanged. */
  text: string;
  /** The SMP rc that came with it. */
  rc: number;
}

export interface DeviceSlot {
  state: string;
  len?: number;
  sha256?: string;
}

export interface DeviceStatusReport {
  slotSize: number;
  active: DeviceSlot;
  staging: DeviceSlot;
  received: number;
}

export function resultName(fwv: number): string {
  return RESULT_CODES.find((c) => c.value === fwv)?.name ?? `fwv ${fwv}`;
}

function verdict(body: CborMap): DeviceVerdict {
  const fwv = typeof body.fwv === 'number' ? body.fwv : -1;
  return {
    fwv,
    name: resultName(fwv),
    text: typeof body.text === 'string' ? body.text : '',
    rc: smpRc(body),
  };
}

function slotOf(v: unknown): DeviceSlot {
  const m = (v && typeof v === 'object' ? v : {}) as CborMap;
  return {
    state: typeof m.state === 'string' ? m.state : 'unknown',
    ...(typeof m.len === 'number' ? { len: m.len } : {}),
    ...(m.sha256 instanceof Uint8Array ? { sha256: Buffer.from(m.sha256).toString('hex') } : {}),
  };
}

export class DeviceSession {
  readonly client: SmpClient;

  constructor(transport: Transport, opts: SmpClientOptions = {}) {
    this.client = new SmpClient(transport, { timeoutMs: 2000, ...opts });
  }

  /** Echoes until the device answers (a pty drops what came before the host opened it). */
  async sync(deadlineMs = 15_000): Promise<void> {
    const end = performance.now() + deadlineMs;
    let last: unknown;
    while (performance.now() < end) {
      try {
        const r = await this.client.write(
          'echo',
          SmpGroup.OS,
          SmpOsCommand.ECHO,
          { d: 'sync' },
          { timeoutMs: 500, retries: 0 },
        );
        if (r.r === 'sync') return;
      } catch (err) {
        last = err;
      }
    }
    throw new Error(
      `device: expected an answer to echo within ${deadlineMs} ms, got ${last instanceof Error ? last.message : 'nothing'}`,
    );
  }

  async status(): Promise<DeviceStatusReport> {
    const r = await this.client.read('fwsign status', SmpGroup.FWSIGN, SmpFwsignCommand.STATUS);
    return {
      slotSize: Number(r.slot_size),
      active: slotOf(r.active),
      staging: slotOf(r.staging),
      received: Number(r.received ?? 0),
    };
  }

  async upload(
    image: Uint8Array,
    opts: { window?: number; onProgress?: (acked: number, total: number) => void } = {},
  ): Promise<UploadStats> {
    const p = await this.client.read('MCUmgr parameters', SmpGroup.OS, SmpOsCommand.MCUMGR_PARAMS);
    return uploadImage(this.client, image, {
      bufSize: Number(p.buf_size),
      bufCount: Number(p.buf_count),
      window: opts.window,
      sha: new Uint8Array(createHash('sha256').update(image).digest()),
      onProgress: opts.onProgress,
    });
  }

  /** One upload request as given (a truncated or oversize upload); the device's answer unchanged. */
  async uploadChunk(fields: {
    off: number;
    data: Uint8Array;
    len?: number;
    sha?: Uint8Array;
  }): Promise<{ rc: number; off?: number; fwv?: number; body: CborMap }> {
    const body: CborMap =
      fields.off === 0
        ? {
            image: 0,
            len: fields.len ?? fields.data.length,
            off: 0,
            data: fields.data,
            ...(fields.sha ? { sha: fields.sha } : {}),
          }
        : { off: fields.off, data: fields.data };
    const rsp = (
      await this.client.request(SmpOp.WRITE, SmpGroup.IMAGE, SmpImageCommand.UPLOAD, body)
    ).body;
    return {
      rc: smpRc(rsp),
      ...(typeof rsp.off === 'number' ? { off: rsp.off } : {}),
      ...(typeof rsp.fwv === 'number' ? { fwv: rsp.fwv } : {}),
      body: rsp,
    };
  }

  async signature(sig: Uint8Array, alg: string, certfile: string): Promise<DeviceVerdict> {
    return verdict(
      (
        await this.client.request(SmpOp.WRITE, SmpGroup.FWSIGN, SmpFwsignCommand.SIGNATURE, {
          alg,
          sig,
          certfile,
        })
      ).body,
    );
  }

  async verify(): Promise<DeviceVerdict> {
    return verdict(
      (await this.client.request(SmpOp.WRITE, SmpGroup.FWSIGN, SmpFwsignCommand.VERIFY, {})).body,
    );
  }

  async markBootable(opts: { timeoutMs?: number; retries?: number } = {}): Promise<DeviceVerdict> {
    return verdict(
      (
        await this.client.request(
          SmpOp.WRITE,
          SmpGroup.FWSIGN,
          SmpFwsignCommand.MARK_BOOTABLE,
          {},
          opts,
        )
      ).body,
    );
  }

  /** Asks the device to reset (bootMode 1: stay in the verifier); a reset that beats its answer is fine. */
  async reset(bootMode = 0): Promise<void> {
    try {
      await this.client.request(
        SmpOp.WRITE,
        SmpGroup.OS,
        SmpOsCommand.RESET,
        bootMode ? { boot_mode: bootMode } : {},
        { timeoutMs: 2000, retries: 0 },
      );
    } catch {
      // The answer may be lost in the reset; the caller waits for the banner.
    }
  }

  close(): void {
    this.client.close();
  }
}
