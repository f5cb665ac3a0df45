/**
 * Everything the board printed on its UART, kept for waits ("the banner appeared after this point")
 * and for failure reports. SMP frames travel on the same line; they are counted, not kept as text,
 * so the log shows what a person at a terminal would read.
 */
import { HarnessError } from './errors.js';

const FRAME_START = [0x06, 0x09];
const FRAME_CONT = [0x04, 0x14];

interface Waiter {
  pattern: string | RegExp;
  since: number;
  resolve: (match: string) => void;
}

export class UartLog {
  private text = '';
  private partial: number[] = [];
  private readonly waiters = new Set<Waiter>();
  /** SMP frame lines seen (both directions are not visible here: only what the board sent). */
  frameLines = 0;

  /** Feeds bytes the board sent. */
  push(bytes: Uint8Array): void {
    for (const b of bytes) {
      this.partial.push(b);
      if (b === 0x0a) this.endLine();
    }
    // Text without a newline yet (a prompt) is visible to waits at once.
    if (this.partial.length > 0 && !this.startsFrame())
      this.check(this.text + this.decode(this.partial));
  }

  /**
   * The line was broken (power cut, reset of the link): a half-sent frame must not swallow the
   * next boot's first line, so the partial line ends here.
   */
  lineBreak(): void {
    if (this.partial.length === 0) return;
    this.partial.push(0x0a);
    this.endLine();
  }

  /** A position in the log: waits `since` it ignore what came before. */
  mark(): number {
    return this.text.length;
  }

  /** The console text so far (frame lines left out), or since a mark. */
  textSince(mark = 0): string {
    const tail = this.partial.length > 0 && !this.startsFrame() ? this.decode(this.partial) : '';
    return (this.text + tail).slice(mark);
  }

  /** Resolves with the matched text once `pattern` appears after `since`; rejects after `timeoutMs`. */
  waitFor(pattern: string | RegExp, opts: { since?: number; timeoutMs: number }): Promise<string> {
    const since = opts.since ?? 0;
    const found = this.find(this.textSince(0), pattern, since);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        pattern,
        since,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const seen = this.textSince(since).slice(-400);
        reject(
          new HarnessError(
            'Timeout',
            `UART: expected ${String(pattern)} within ${opts.timeoutMs} ms, got ${JSON.stringify(seen)}`,
          ),
        );
      }, opts.timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private startsFrame(): boolean {
    const [a, b] = this.partial;
    return (
      (a === FRAME_START[0] && (b === undefined || b === FRAME_START[1])) ||
      (a === FRAME_CONT[0] && (b === undefined || b === FRAME_CONT[1]))
    );
  }

  private endLine(): void {
    let line = this.partial;
    this.partial = [];
    const isFrame =
      (line[0] === FRAME_START[0] && line[1] === FRAME_START[1]) ||
      (line[0] === FRAME_CONT[0] && line[1] === FRAME_CONT[1]);
    if (isFrame) {
      this.frameLines++;
      // A frame cut short (the board lost power mid-line) and text glued after it: keep the text.
      const body = Buffer.from(line.slice(2))
        .toString('latin1')
        .replace(/\r?\n$/, '');
      const junk = body.search(/[^A-Za-z0-9+/=]/);
      if (junk < 0) return;
      line = Array.from(Buffer.from(body.slice(junk) + '\n', 'latin1'));
    }
    this.text += this.decode(line).replace(/\r\n/g, '\n');
    this.check(this.text);
  }

  private decode(bytes: number[]): string {
    return Buffer.from(bytes).toString('latin1');
  }

  private find(all: string, pattern: string | RegExp, since: number): string | undefined {
    const hay = all.slice(since);
    if (typeof pattern === 'string') return hay.includes(pattern) ? pattern : undefined;
    return pattern.exec(hay)?.[0];
  }

  private check(all: string): void {
    for (const w of [...this.waiters]) {
      const m = this.find(all, w.pattern, w.since);
      if (m !== undefined) {
        this.waiters.delete(w);
        w.resolve(m);
      }
    }
  }
}
