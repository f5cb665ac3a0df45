/**
 * Gathers access-log lines over one turn of the event loop and hands them to `write` in one call.
 * process.stderr on a pipe or a file is a synchronous write(2) per call on Linux; one per request
 * cost about as much as the rest of the HTTP layer's work on a StartSigningJob. Lines of the
 * turn in progress are lost only if the process dies before the turn ends; call flush() before
 * shutting down or writing other messages that must come after them.
 */
export class AccessLog {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly write: (text: string) => void) {}

  /** Queues one line (without its newline). */
  readonly line = (line: string): void => {
    this.pending.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  };

  /** Writes every queued line now. */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    this.write(text);
  };
}
