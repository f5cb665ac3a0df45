/**
 * The device side of fwsign's serial protocol in TypeScript, for tests and benchmarks: console
 * framing, SMP, a bounded receive queue of `bufCount` buffers, a staging slot, real signature
 * verification against a trust-anchor table, and a reset that loses what RAM held.
 */
import type { Duplex } from 'node:stream';
import { decodeTrustAnchorTable } from '@fwsign/protocol';
import { decodeCborMap, encodeCbor } from './cbor.js';
import {
  ConsoleFrameDecoder,
  encodeConsoleFrame,
  FRAME_OVERHEAD_BYTES,
} from './console-framing.js';
import { RESULT_CODES, ResultCode } from '@fwsign/protocol';
import { bootLineFor } from './fwsign-group.js';
import {
  bootDecision,
  emptySlot,
  handleRequest,
  type DeviceState,
  type MockFlavour,
} from './mock-device-handlers.js';
import { decodeSmpPacket, encodeSmpPacket, type SmpPacket } from './smp-frame.js';
import { FlasherError } from './errors.js';
import { Listeners, type Transport, type TransportListener } from './transport.js';

export interface MockDeviceOptions {
  /** The provisioned trust-anchor table (encodeTrustAnchorTable's bytes). */
  trustAnchorTable: Uint8Array;
  flavour?: MockFlavour;
  slotSize?: number;
  bufSize?: number;
  bufCount?: number;
  /** Flash write alignment; MCUboot asks again for a non-final chunk's unaligned tail. */
  writeAlign?: number;
  /** Time to handle each request, in ms. */
  processingMs?: number;
  /** Extra time for the first chunk (MCUboot erases the slot then). */
  eraseMs?: number;
  /**
   * The application's banner, printed after the verifier's boot line when a reset boots a verified
   * image (the `mcuboot` flavour prints it on every reset).
   */
  bootBanner?: string;
  /** Time between answering a reset request and resetting (Zephyr and MCUboot wait 250 ms). */
  resetDelayMs?: number;
}

export class MockDevice {
  readonly state: DeviceState;
  private readonly out = new Set<(bytes: Uint8Array) => void>();
  private decoder = new ConsoleFrameDecoder();
  private readonly queue: SmpPacket[] = [];
  private busy = false;
  private epoch = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Frames the device dropped: bad CRC, no free buffer, oversize. */
  readonly dropped: string[] = [];
  /** Requests served, for assertions. */
  served = 0;

  constructor(private readonly opts: MockDeviceOptions) {
    const anchors = decodeTrustAnchorTable(opts.trustAnchorTable);
    const slotSize = opts.slotSize ?? 512 * 1024;
    this.state = {
      flavour: opts.flavour ?? 'fwsign',
      slotSize,
      bufSize: opts.bufSize ?? 1024,
      bufCount: opts.bufCount ?? 2,
      writeAlign: opts.writeAlign ?? 1,
      anchors,
      active: emptySlot(slotSize),
      staging: emptySlot(slotSize),
      upload: undefined,
      signature: undefined,
      verified: false,
      resetRequested: false,
      stayRequested: false,
      running: 'verifier',
    };
  }

  /** Bytes from the host, in any cut. */
  receive(bytes: Uint8Array): void {
    // Between answering a reset request and resetting, the device serves nothing.
    if (this.state.resetRequested) return;
    for (const event of this.decoder.push(bytes)) {
      if (event.kind === 'error') this.dropped.push(event.reason);
      if (event.kind !== 'packet') continue;
      if (event.body.length + FRAME_OVERHEAD_BYTES > this.state.bufSize) {
        this.dropped.push(
          `frame of ${event.body.length + FRAME_OVERHEAD_BYTES} bytes exceeds buf_size ${this.state.bufSize}`,
        );
        continue;
      }
      // One buffer is being processed, the rest hold what arrived meanwhile; beyond that the UART driver has nowhere to put it.
      if (this.queue.length + (this.busy ? 1 : 0) >= this.state.bufCount) {
        this.dropped.push('no free receive buffer');
        continue;
      }
      let packet: SmpPacket;
      try {
        packet = decodeSmpPacket(event.body);
      } catch (err) {
        this.dropped.push((err as Error).message);
        continue;
      }
      this.queue.push(packet);
    }
    this.pump();
  }

  /** Power-cycles: RAM state and anything half-received are lost, flash (slots) stays. */
  reset(): void {
    this.epoch++;
    this.queue.length = 0;
    this.busy = false;
    this.decoder = new ConsoleFrameDecoder();
    this.state.upload = undefined;
    this.state.signature = undefined;
    this.state.verified = false;
    this.state.resetRequested = false;
    const stay = this.state.stayRequested;
    this.state.stayRequested = false;
    if (this.state.flavour === 'mcuboot') {
      if (this.opts.bootBanner) this.emit(new TextEncoder().encode(`${this.opts.bootBanner}\n`));
      return;
    }
    // The verifier's boot (port/cortex-m/main.c): the active image runs only if it verifies and
    // nobody asked to stay; either way the console says which, in the firmware's words.
    const fwv = bootDecision(this.state);
    const boots = fwv === ResultCode.OK && !stay;
    this.state.running = boots ? 'app' : 'verifier';
    const reason = stay
      ? 'staying on request'
      : fwv === ResultCode.OK
        ? 'FWV_OK'
        : (RESULT_CODES.find((r) => r.value === fwv)?.name ?? `fwv ${fwv}`);
    const lines = [bootLineFor(boots ? this.state.active.sha256 : undefined, reason)];
    if (boots && this.opts.bootBanner) lines.push(this.opts.bootBanner);
    this.emit(new TextEncoder().encode(lines.map((l) => `${l}\n`).join('')));
  }

  /** The host's end of an in-memory link to this device. */
  connect(): Transport {
    return new MockLink(this);
  }

  /** Serves the device over a byte stream (a socket, a pty bridge's pipes); returns the detach. */
  serve(stream: Duplex): () => void {
    const send = (bytes: Uint8Array): void => {
      if (!stream.destroyed) stream.write(bytes);
    };
    const onData = (chunk: Buffer): void => this.receive(new Uint8Array(chunk));
    // The host hanging up is not the device's error: it just stops talking to that stream.
    const onEnd = (): void => detach();
    const detach = (): void => {
      stream.off('data', onData);
      stream.off('close', onEnd);
      this.out.delete(send);
    };
    stream.on('data', onData);
    stream.on('error', onEnd);
    stream.on('close', onEnd);
    this.out.add(send);
    return detach;
  }

  /** @internal */ attach(sink: (bytes: Uint8Array) => void): () => void {
    this.out.add(sink);
    return () => this.out.delete(sink);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.epoch++;
  }

  private emit(bytes: Uint8Array): void {
    for (const sink of [...this.out]) sink(bytes);
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private pump(): void {
    if (this.busy || this.queue.length === 0) return;
    this.busy = true;
    const packet = this.queue.shift()!;
    const epoch = this.epoch;
    const { header } = packet;
    let result;
    try {
      result = handleRequest(
        this.state,
        header.op,
        header.group,
        header.id,
        decodeCborMap(packet.payload),
      );
    } catch {
      result = { body: { rc: 3 } };
    }
    const delay = (this.opts.processingMs ?? 0) + (result.slow ? (this.opts.eraseMs ?? 0) : 0);
    const answer = (): void => {
      if (epoch !== this.epoch) return;
      const payload = encodeCbor(result.body);
      const rsp = encodeSmpPacket(
        {
          op: (header.op + 1) as 1 | 3,
          version: header.version,
          flags: 0,
          group: header.group,
          seq: header.seq,
          id: header.id,
        },
        payload,
      );
      this.served++;
      this.emit(encodeConsoleFrame(rsp));
      this.busy = false;
      if (this.state.resetRequested) this.later(this.opts.resetDelayMs ?? 50, () => this.reset());
      else this.pump();
    };
    if (delay > 0) this.later(delay, answer);
    else queueMicrotask(answer);
  }
}

class MockLink implements Transport {
  private readonly listeners = new Listeners();
  private readonly detach: () => void;

  constructor(private readonly device: MockDevice) {
    this.detach = device.attach((bytes) => setImmediate(() => this.listeners.data(bytes)));
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.listeners.isClosed)
      throw new FlasherError('TransportClosed', 'mock device link: write after close');
    const copy = bytes.slice();
    setImmediate(() => this.device.receive(copy));
  }

  subscribe(listener: TransportListener): () => void {
    return this.listeners.add(listener);
  }

  async close(): Promise<void> {
    this.detach();
    this.listeners.closed();
  }
}
