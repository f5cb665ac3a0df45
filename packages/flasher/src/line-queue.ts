/** Console lines in arrival order, each waited for with a deadline. */
export class LineQueue {
  private readonly lines: string[] = [];
  private wake: (() => void) | undefined;

  push(line: string): void {
    this.lines.push(line);
    this.wake?.();
  }

  async next(timeoutMs: number): Promise<string | undefined> {
    if (this.lines.length === 0 && timeoutMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
      this.wake = undefined;
    }
    return this.lines.shift();
  }

  close(): void {
    this.wake?.();
  }
}
