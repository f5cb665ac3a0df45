/**
 * One Renode process and its monitor, driven from TypeScript over the monitor's TCP port
 * (`renode --disable-xwt --plain --port N`), the way Renode users' Robot tests drive the same
 * commands. Launching Renode costs seconds (Mono, then the first platform's JIT), so a process is
 * shared: `RenodeMonitor.shared()` hands every board of this Node process the same Renode, each
 * board on its own machine in it. The process is watched through a pipe: when Node exits, however
 * it exits, the pipe closes and Renode is killed, so no emulator outlives its test run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { HarnessError } from './errors.js';
import { REPO_ROOT } from './firmware.js';

/** Where a Renode comes from, in order: $RENODE, `renode` on PATH, ../shared/renode/renode beside the repository. */
export function findRenode(
  env: NodeJS.ProcessEnv = process.env,
  repoRoot = REPO_ROOT,
): string | undefined {
  if (env.RENODE) return existsSync(env.RENODE) ? env.RENODE : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'renode'))) return join(dir, 'renode');
  }
  const beside = resolve(repoRoot, '..', 'shared', 'renode', 'renode');
  return existsSync(beside) ? beside : undefined;
}

export const RENODE_HINT =
  'install Renode (an official package puts `renode` on PATH) or set RENODE=/path/to/renode';

/** A free TCP port on the loopback interface (Renode takes port numbers, not sockets). */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => res(port));
    });
  });
}

const PROMPT = /\(([\w.-]+)\) $/;
// What the monitor prints when a command fails (it keeps running, so the text is the only sign).
const FAILURE =
  /^(There was an error|Could not|No such command|Parameters did not match|Invalid |Error:|.*Exception)/m;

export class RenodeMonitor {
  private static instance: RenodeMonitor | undefined;
  private buffer = '';
  private waiting: { resolve: (out: string) => void; reject: (e: Error) => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private users = 0;
  private exitError: Error | undefined;
  /** Renode's own log lines (stdout/stderr of the process), for failure reports. */
  log = '';

  private constructor(
    readonly renode: string,
    private readonly proc: ChildProcess,
    private readonly socket: net.Socket,
    private readonly work: string,
  ) {
    socket.setEncoding('latin1');
    socket.on('data', (s: string) => this.onData(s));
    proc.once('exit', (code, signal) => {
      this.exitError = new HarnessError(
        'BoardNotRunning',
        `renode: expected the monitor process running, it exited (${signal ?? code}); Renode said: ${this.log.slice(-600)}`,
      );
      this.waiting?.reject(this.exitError);
      this.waiting = undefined;
      if (RenodeMonitor.instance === this) RenodeMonitor.instance = undefined;
      rmSync(this.work, { recursive: true, force: true });
    });
  }

  /** The Renode this Node process shares among its boards (launched on first use). */
  static async shared(renode = findRenode(), startTimeoutMs = 90_000): Promise<RenodeMonitor> {
    if (!renode)
      throw new HarnessError('NotSupported', `renode board: no Renode found; ${RENODE_HINT}`);
    const m = RenodeMonitor.instance;
    if (m && m.renode === renode && !m.exitError) return m;
    RenodeMonitor.instance = await RenodeMonitor.launch(renode, startTimeoutMs);
    return RenodeMonitor.instance;
  }

  static async launch(renode: string, startTimeoutMs = 90_000): Promise<RenodeMonitor> {
    const work = mkdtempSync(join(tmpdir(), 'fwsign-renode-'));
    const port = await freePort();
    const args = [
      '--disable-xwt',
      '--plain',
      '--config',
      join(work, 'renode.config'),
      '--port',
      String(port),
    ];
    // The watchdog: Renode runs in the background of a shell that waits for its stdin to close
    // (this process exiting, or quit()), then kills it.
    const proc = spawn(
      'sh',
      [
        '-c',
        '"$0" "$@" </dev/null & r=$!; cat >/dev/null; kill -9 $r 2>/dev/null',
        renode,
        ...args,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'], cwd: dirname(renode) },
    );
    let log = '';
    const onLog = (c: Buffer): void => void (log = (log + c.toString()).slice(-20_000));
    proc.stdout!.on('data', onLog);
    proc.stderr!.on('data', onLog);
    const deadline = performance.now() + startTimeoutMs;
    let socket: net.Socket | undefined;
    while (!socket) {
      if (proc.exitCode !== null || performance.now() > deadline) {
        proc.kill('SIGKILL');
        rmSync(work, { recursive: true, force: true });
        throw new HarnessError(
          'BoardStartFailed',
          `renode: expected its monitor on port ${port} within ${startTimeoutMs} ms; Renode said: ${log.slice(-600)}`,
        );
      }
      socket = await new Promise<net.Socket | undefined>((res) => {
        const s = net.connect({ host: '127.0.0.1', port });
        s.once('connect', () => {
          s.removeAllListeners('error');
          res(s);
        });
        s.once('error', () => setTimeout(() => res(undefined), 200));
      });
    }
    const m = new RenodeMonitor(renode, proc, socket, work);
    proc.stdout!.off('data', onLog);
    proc.stderr!.off('data', onLog);
    m.log = log;
    const keep = (c: Buffer): void => void (m.log = (m.log + c.toString()).slice(-20_000));
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    // The banner ends with the first prompt.
    await m.enqueue(() => m.awaitPrompt(startTimeoutMs));
    m.idle();
    return m;
  }

  get running(): boolean {
    return this.exitError === undefined;
  }

  /** A board holds the process while it runs: Node waits for Renode only while a board is up. */
  acquire(): void {
    if (this.users++ === 0) {
      this.proc.ref();
      this.socket.ref();
    }
  }

  release(): void {
    if (--this.users <= 0) {
      this.users = 0;
      this.idle();
    }
  }

  /**
   * Runs monitor commands in order, as one batch no other caller interleaves with; returns their
   * output (echo and prompts removed). A command Renode reports as failed rejects with its text.
   */
  execute(commands: string | readonly string[], timeoutMs = 60_000): Promise<string> {
    const list = typeof commands === 'string' ? [commands] : commands;
    return this.enqueue(async () => {
      let all = '';
      for (const cmd of list) {
        if (/[\r\n]/.test(cmd))
          throw new RangeError(
            `renode monitor: command expected on one line, got ${JSON.stringify(cmd)}`,
          );
        if (this.exitError) throw this.exitError;
        const out = this.awaitPrompt(timeoutMs, cmd);
        this.socket.write(`${cmd}\n`);
        const text = await out;
        if (FAILURE.test(text))
          throw new HarnessError(
            'MonitorError',
            `renode monitor: expected "${cmd}" to succeed, got: ${text.trim().slice(-600)}`,
          );
        all += text;
      }
      return all;
    });
  }

  /** Stops Renode (all its machines). */
  async quit(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.socket.write('quit\n');
    this.proc.stdin!.end(); // the watchdog kills it if quit did not
    await exited;
    this.socket.destroy();
  }

  private idle(): void {
    this.proc.unref();
    this.socket.unref();
    for (const s of [this.proc.stdin, this.proc.stdout, this.proc.stderr])
      (s as unknown as { unref?: () => void } | null)?.unref?.();
  }

  private enqueue<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private awaitPrompt(timeoutMs: number, cmd = '(start)'): Promise<string> {
    this.buffer = '';
    return new Promise((res, rej) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        // A prompt that comes late would answer the next command: this Renode is given up (the
        // watchdog kills it) and the next board launches a fresh one.
        this.exitError ??= new HarnessError(
          'BoardNotRunning',
          `renode: given up after "${cmd}" timed out`,
        );
        if (RenodeMonitor.instance === this) RenodeMonitor.instance = undefined;
        this.proc.stdin?.end();
        rej(
          new HarnessError(
            'Timeout',
            `renode monitor: expected a prompt after "${cmd}" within ${timeoutMs} ms, got ${JSON.stringify(this.buffer.slice(-400))}`,
          ),
        );
      }, timeoutMs);
      this.waiting = {
        resolve: (out) => {
          clearTimeout(timer);
          res(out);
        },
        reject: (e) => {
          clearTimeout(timer);
          rej(e);
        },
      };
      this.onData('');
    });
  }

  private onData(s: string): void {
    // Telnet negotiation (IAC …) and the terminal's escape sequences are not output.
    this.buffer += s.replace(/\xff[\xfb-\xfe]./g, '').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    if (!this.waiting || !PROMPT.test(this.buffer)) return;
    const lines = this.buffer.replace(/\r/g, '').split('\n');
    lines.pop(); // the prompt
    const w = this.waiting;
    this.waiting = undefined;
    this.buffer = '';
    w.resolve(lines.slice(1).join('\n')); // the first line is the command's echo
  }
}
