/**
 * Fault injection at frame granularity, in either direction: drop, corrupt, duplicate, stall, or
 * reset the device. Frames are found by their console framing, so the decorator works on any byte
 * stream, and console text between frames passes through as its own unit.
 */
import { CONSOLE_FRAMING } from '@fwsign/protocol';
import { type Transport, TransportDecorator } from './transport.js';

export type FaultKind = 'drop' | 'corrupt' | 'duplicate' | 'stall' | 'reset';
export type FaultDirection = 'to-device' | 'to-host';

export interface Fault {
  kind: FaultKind;
  direction: FaultDirection;
  /** 0-based index of the frame, counted in that direction. */
  at: number;
  /** stall: how long the link holds (default 1000 ms). */
  stallMs?: number;
}

export interface FaultOptions {
  faults: readonly Fault[];
  /** Called for a `reset` fault: power-cycles the device (MockDevice.reset, a QEMU monitor command). */
  resetDevice?: () => void;
}

/** Splits a byte stream into whole console frames and text lines. */
class FrameSplitter {
  private line: number[] = [];
  private frame: number[] = [];
  private need = 0;
  private have = 0;

  push(chunk: Uint8Array): Uint8Array[] {
    const units: Uint8Array[] = [];
    for (const byte of chunk) {
      this.line.push(byte);
      if (byte === 0x0a) this.endLine(units);
    }
    return units;
  }

  private endLine(units: Uint8Array[]): void {
    const line = this.line;
    this.line = [];
    const [f1, f2] = CONSOLE_FRAMING.firstLineMarker;
    const [c1, c2] = CONSOLE_FRAMING.continuationMarker;
    const b64 = Buffer.from(line.slice(2, line[line.length - 2] === 0x0d ? -2 : -1)).toString(
      'latin1',
    );
    if (line[0] === f1 && line[1] === f2) {
      if (this.frame.length > 0) units.push(Uint8Array.from(this.frame));
      const bytes = Buffer.from(b64, 'base64');
      this.need = bytes.length >= 2 ? ((bytes[0]! << 8) | bytes[1]!) + 2 : 0;
      this.have = bytes.length;
      this.frame = line;
    } else if (line[0] === c1 && line[1] === c2 && this.frame.length > 0) {
      this.frame.push(...line);
      this.have += Buffer.from(b64, 'base64').length;
    } else {
      if (this.frame.length > 0) {
        units.push(Uint8Array.from(this.frame));
        this.frame = [];
      }
      units.push(Uint8Array.from(line));
      return;
    }
    if (this.have >= this.need) {
      units.push(Uint8Array.from(this.frame));
      this.frame = [];
    }
  }
}

function isFrame(unit: Uint8Array): boolean {
  return (
    unit[0] === CONSOLE_FRAMING.firstLineMarker[0] && unit[1] === CONSOLE_FRAMING.firstLineMarker[1]
  );
}

/** Flips one bit in the middle of the frame, never a marker or newline. */
function corruptFrame(unit: Uint8Array): Uint8Array {
  const copy = unit.slice();
  let at = Math.floor(copy.length / 2);
  while (at < copy.length - 1 && (copy[at] === 0x0a || at < 2)) at++;
  copy[at]! ^= 0x01;
  return copy;
}

export class FaultyTransport extends TransportDecorator {
  private readonly pending: Fault[];
  private readonly counts = { 'to-device': 0, 'to-host': 0 };
  private readonly splitters = { 'to-device': new FrameSplitter(), 'to-host': new FrameSplitter() };
  private readonly holds = { 'to-device': 0, 'to-host': 0 };
  private readonly held = { 'to-device': [] as Uint8Array[], 'to-host': [] as Uint8Array[] };
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Faults that have fired, for test assertions. */
  readonly fired: Fault[] = [];

  constructor(
    inner: Transport,
    private readonly opts: FaultOptions,
  ) {
    super(inner);
    this.pending = [...opts.faults];
    if (this.pending.some((f) => f.kind === 'reset') && !opts.resetDevice) {
      throw new RangeError('FaultyTransport: a "reset" fault needs the "resetDevice" option');
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    for (const unit of this.splitters['to-device'].push(bytes)) this.pass('to-device', unit);
  }

  protected fromDevice(bytes: Uint8Array): void {
    for (const unit of this.splitters['to-host'].push(bytes)) this.pass('to-host', unit);
  }

  private pass(direction: FaultDirection, unit: Uint8Array): void {
    if (!isFrame(unit)) return this.emit(direction, unit);
    const index = this.counts[direction]++;
    const fault = this.pending.find((f) => f.direction === direction && f.at === index);
    if (!fault) return this.emit(direction, unit);
    this.pending.splice(this.pending.indexOf(fault), 1);
    this.fired.push(fault);
    switch (fault.kind) {
      case 'drop':
        return;
      case 'corrupt':
        return this.emit(direction, corruptFrame(unit));
      case 'duplicate':
        this.emit(direction, unit);
        return this.emit(direction, unit);
      case 'stall': {
        this.holds[direction] = performance.now() + (fault.stallMs ?? 1000);
        this.emit(direction, unit);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.holds[direction] = 0;
          const queued = this.held[direction].splice(0);
          for (const u of queued) this.emit(direction, u);
        }, fault.stallMs ?? 1000);
        this.timers.add(timer);
        return;
      }
      case 'reset':
        this.opts.resetDevice!();
        return;
    }
  }

  private emit(direction: FaultDirection, unit: Uint8Array): void {
    if (this.holds[direction] > 0) {
      this.held[direction].push(unit);
      return;
    }
    if (direction === 'to-device') void this.inner.write(unit).catch(() => undefined);
    else this.listeners.data(unit);
  }

  override async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await super.close();
  }
}
