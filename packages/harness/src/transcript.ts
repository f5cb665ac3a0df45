/**
 * What went over the link, both ways, as one line per SMP packet (time, direction, op, group,
 * command, sequence, the CBOR body in short) plus the console text: printed when a scenario fails,
 * so a refused or lost request can be read without a logic analyser.
 */
import {
  ConsoleFrameDecoder,
  decodeCborMap,
  decodeSmpPacket,
  type Transport,
  type TransportListener,
} from '@fwsign/flasher';

const OPS = ['read', 'read-rsp', 'write', 'write-rsp'];

function short(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v: unknown) =>
      v instanceof Uint8Array ? `<${v.length} bytes>` : v,
    )?.slice(0, 160) ?? ''
  );
}

export class Transcript {
  readonly lines: string[] = [];
  private readonly t0 = performance.now();
  private readonly decoders = { '>': new ConsoleFrameDecoder(), '<': new ConsoleFrameDecoder() };
  private readonly sources = new Map<Transport, { users: number; off: () => void }>();
  /** Keeps the last `limit` lines (a long upload has thousands). */
  constructor(private readonly limit = 400) {}

  record(dir: '>' | '<', bytes: Uint8Array): void {
    for (const ev of this.decoders[dir].push(bytes)) {
      const t = ((performance.now() - this.t0) / 1000).toFixed(3).padStart(8);
      if (ev.kind === 'text') this.add(`${t} ${dir} text ${JSON.stringify(ev.line)}`);
      else if (ev.kind === 'error') this.add(`${t} ${dir} damaged frame: ${ev.reason}`);
      else {
        try {
          const p = decodeSmpPacket(ev.body);
          const h = p.header;
          let body = '';
          try {
            body = short(decodeCborMap(p.payload));
          } catch {
            body = `<${p.payload.length} bytes, not a CBOR map>`;
          }
          this.add(
            `${t} ${dir} ${OPS[h.op] ?? h.op} group ${h.group} id ${h.id} seq ${h.seq} ${body}`,
          );
        } catch (err) {
          this.add(`${t} ${dir} packet that is not SMP: ${(err as Error).message}`);
        }
      }
    }
  }

  /**
   * Records what the device sends on `inner`, once however many recorders are open on it: every
   * link of a scenario sits on the board's one UART, and two recorders would feed the decoder each
   * chunk twice (on Renode, whose socket terminal hands over a frame in pieces, that garbles every
   * line). Returns the recorder's release.
   */
  listen(inner: Transport): () => void {
    let src = this.sources.get(inner);
    if (!src) {
      src = { users: 0, off: inner.subscribe({ data: (bytes) => this.record('<', bytes) }) };
      this.sources.set(inner, src);
    }
    const s = src;
    s.users++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--s.users === 0) {
        s.off();
        this.sources.delete(inner);
      }
    };
  }

  toString(): string {
    return this.lines.join('\n');
  }

  private add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.limit) this.lines.splice(0, this.lines.length - this.limit);
  }
}

/** Passes bytes through and records them once: `>` host to device, `<` device to host. */
export class RecordingTransport implements Transport {
  private readonly unsubscribe: () => void;

  constructor(
    private readonly inner: Transport,
    readonly transcript: Transcript,
  ) {
    this.unsubscribe = transcript.listen(inner);
  }

  write(bytes: Uint8Array): Promise<void> {
    this.transcript.record('>', bytes);
    return this.inner.write(bytes);
  }

  subscribe(listener: TransportListener): () => void {
    return this.inner.subscribe(listener);
  }

  close(): Promise<void> {
    this.unsubscribe();
    return this.inner.close();
  }
}
