/**
 * Requests and responses over a Transport: each request gets a sequence number, each response is
 * matched to its request by seq + group + command, every wait has a deadline, and a retry is a new
 * request with a new seq (so a late answer to the old one cannot be mistaken for the new one).
 */
import { SmpError, SmpOp } from '@fwsign/protocol';
import { decodeCborMap, encodeCbor, type CborMap } from './cbor.js';
import { ConsoleFrameDecoder, encodeConsoleFrame } from './console-framing.js';
import { FlasherError } from './errors.js';
import { decodeSmpPacket, encodeSmpPacket, type SmpHeader } from './smp-frame.js';
import type { Transport } from './transport.js';

export interface SmpClientOptions {
  /** Per-request deadline in ms (default 3000). */
  timeoutMs?: number;
  /** Extra attempts after a timeout (default 2). */
  retries?: number;
  /** SMP version to send: 0 = v1 (default; MCUboot), 1 = v2. */
  version?: number;
  /** Console text the device printed between frames (boot banners, logs). */
  onText?: (line: string) => void;
  /** Frames that arrived damaged and were skipped. */
  onFrameError?: (reason: string) => void;
}

export interface SmpResponse {
  header: SmpHeader;
  body: CborMap;
}

export interface InFlight {
  readonly seq: number;
  readonly response: Promise<SmpResponse>;
  cancel(): void;
}

interface Pending {
  op: number;
  group: number;
  id: number;
  resolve: (r: SmpResponse) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const OP_NAMES = ['read', 'read-rsp', 'write', 'write-rsp'];

/** The device's rc: v1 puts it at top level, v2 inside `err: {group, rc}`. */
export function smpRc(body: CborMap): number {
  if (typeof body.rc === 'number') return body.rc;
  const err = body.err;
  if (
    err &&
    typeof err === 'object' &&
    !Array.isArray(err) &&
    !(err instanceof Uint8Array) &&
    typeof err.rc === 'number'
  )
    return err.rc;
  return 0;
}

const SMP_ERROR_NAMES = Object.fromEntries(
  Object.entries(SmpError).map(([k, v]) => [v, `MGMT_ERR_${k}`]),
) as Record<number, string>;

export function smpErrorName(rc: number): string {
  return SMP_ERROR_NAMES[rc] ?? `rc ${rc}`;
}

/** The error for a non-zero rc: ENOTSUP a NotSupported, anything else a DeviceError, naming `what`. */
export function rcError(what: string, rc: number, rsp: CborMap): FlasherError {
  const reason = typeof rsp.rsn === 'string' ? `: ${rsp.rsn}` : '';
  return new FlasherError(
    rc === SmpError.ENOTSUP ? 'NotSupported' : 'DeviceError',
    `${what}: device answered ${smpErrorName(rc)} (${rc})${reason}`,
    { smpRc: rc },
  );
}

export class SmpClient {
  private readonly decoder = new ConsoleFrameDecoder();
  private readonly textListeners = new Set<(line: string) => void>();
  private readonly pending = new Map<number, Pending>();
  private nextSeq = Math.floor(Math.random() * 256);
  private readonly unsubscribe: () => void;
  private closedError: Error | undefined;
  readonly timeoutMs: number;
  readonly retries: number;
  /** Responses that matched no pending request (late or duplicated): the link is lossy if this grows. */
  strays = 0;
  frameErrors = 0;

  constructor(
    private readonly transport: Transport,
    private readonly opts: SmpClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 3000;
    this.retries = opts.retries ?? 2;
    this.unsubscribe = transport.subscribe({
      data: (bytes) => this.onBytes(bytes),
      closed: (error) =>
        this.fail(error ?? new FlasherError('TransportClosed', 'link to the device closed')),
    });
  }

  private onBytes(bytes: Uint8Array): void {
    for (const event of this.decoder.push(bytes)) {
      if (event.kind === 'text') {
        this.opts.onText?.(event.line);
        for (const listener of [...this.textListeners]) listener(event.line);
      } else if (event.kind === 'error') {
        this.frameErrors++;
        this.opts.onFrameError?.(event.reason);
      } else this.onPacket(event.body);
    }
  }

  private onPacket(bytes: Uint8Array): void {
    let header: SmpHeader;
    let body: CborMap;
    try {
      const packet = decodeSmpPacket(bytes);
      header = packet.header;
      body = decodeCborMap(packet.payload);
    } catch (err) {
      this.frameErrors++;
      this.opts.onFrameError?.((err as Error).message);
      return;
    }
    const p = this.pending.get(header.seq);
    if (!p || header.op !== p.op + 1 || header.group !== p.group || header.id !== p.id) {
      this.strays++;
      return;
    }
    this.pending.delete(header.seq);
    clearTimeout(p.timer);
    p.resolve({ header, body });
  }

  private fail(error: Error): void {
    if (this.closedError) return;
    this.closedError = error;
    for (const [seq, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(seq);
      p.reject(error);
    }
  }

  private allocSeq(): number {
    for (let i = 0; i < 256; i++) {
      const seq = this.nextSeq;
      this.nextSeq = (this.nextSeq + 1) & 0xff;
      if (!this.pending.has(seq)) return seq;
    }
    throw new FlasherError('ProtocolError', 'SMP: 256 requests in flight, no sequence number left');
  }

  /** One attempt: sends the request and returns its pending answer, which rejects after `timeoutMs`. */
  send(op: number, group: number, id: number, body: CborMap, timeoutMs = this.timeoutMs): InFlight {
    if (this.closedError) {
      const error = this.closedError;
      return { seq: -1, response: Promise.reject(error), cancel: () => undefined };
    }
    const seq = this.allocSeq();
    const frame = encodeConsoleFrame(
      encodeSmpPacket(
        { op: op as SmpHeader['op'], version: this.opts.version ?? 0, flags: 0, group, seq, id },
        encodeCbor(body),
      ),
    );
    let cancel = (): void => undefined;
    const response = new Promise<SmpResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(
          new FlasherError(
            'Timeout',
            `SMP ${OP_NAMES[op]} group ${group} command ${id} (seq ${seq}): no answer within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.pending.set(seq, { op, group, id, resolve, reject, timer });
      cancel = () => {
        const p = this.pending.get(seq);
        if (p && p.timer === timer) {
          clearTimeout(timer);
          this.pending.delete(seq);
        }
      };
      this.transport.write(frame).catch((err: Error) => {
        if (this.pending.get(seq)?.timer !== timer) return;
        clearTimeout(timer);
        this.pending.delete(seq);
        reject(
          err instanceof FlasherError
            ? err
            : new FlasherError('TransportError', `write failed: ${err.message}`, { cause: err }),
        );
      });
    });
    // A caller that drops an InFlight must not crash the process with an unhandled rejection.
    response.catch(() => undefined);
    return { seq, response, cancel };
  }

  /** Sends with bounded retries on timeout; returns the body whatever its rc (see `call` for rc checks). */
  async request(
    op: number,
    group: number,
    id: number,
    body: CborMap,
    opts: { timeoutMs?: number; retries?: number } = {},
  ): Promise<SmpResponse> {
    const attempts = 1 + (opts.retries ?? this.retries);
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        return await this.send(op, group, id, body, opts.timeoutMs ?? this.timeoutMs).response;
      } catch (err) {
        last = err;
        if (!(err instanceof FlasherError) || err.code !== 'Timeout') throw err;
      }
    }
    const e = last as FlasherError;
    throw new FlasherError('Timeout', `${e.message}; gave up after ${attempts} attempts`);
  }

  /** `request`, then a non-zero rc becomes a DeviceError (ENOTSUP a NotSupported) naming `what`. */
  async call(
    what: string,
    op: number,
    group: number,
    id: number,
    body: CborMap,
    opts: { timeoutMs?: number; retries?: number } = {},
  ): Promise<CborMap> {
    const { body: rsp } = await this.request(op, group, id, body, opts);
    const rc = smpRc(rsp);
    if (rc !== 0) throw rcError(what, rc, rsp);
    return rsp;
  }

  read(
    what: string,
    group: number,
    id: number,
    body: CborMap = {},
    opts?: { timeoutMs?: number; retries?: number },
  ): Promise<CborMap> {
    return this.call(what, SmpOp.READ, group, id, body, opts);
  }

  write(
    what: string,
    group: number,
    id: number,
    body: CborMap,
    opts?: { timeoutMs?: number; retries?: number },
  ): Promise<CborMap> {
    return this.call(what, SmpOp.WRITE, group, id, body, opts);
  }

  /** Console text lines the device prints between frames from now on (boot lines); returns the unsubscribe. */
  onText(listener: (line: string) => void): () => void {
    this.textListeners.add(listener);
    return () => this.textListeners.delete(listener);
  }

  /** Stops listening and rejects what is pending; the transport stays open (its owner closes it). */
  close(): void {
    this.fail(new FlasherError('TransportClosed', 'SMP client closed'));
    this.unsubscribe();
  }
}
