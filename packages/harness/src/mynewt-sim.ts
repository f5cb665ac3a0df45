/**
 * Mynewt's slinky app on the Linux native simulator (a stock SMP server; ../shared/peers/README.md):
 * a 32-bit i386 program that keeps its flash in a file and prints the pty of its UART. Where the
 * kernel runs 32-bit programs it is started as is; elsewhere through QEMU's user-mode emulator
 * (`qemu-i386`, Debian's qemu-user) with `-cpu qemu32`. With QEMU's default CPU (`max`, which
 * advertises XSAVE) the simulator dies about 1.4 s in: its scheduler switches tasks by siglongjmp
 * out of a SIGURG handler, and the first switch after its one-second sleep jumps through a
 * corrupted jmp_buf (SIGSEGV at a garbage EIP, right after the run's only
 * rt_sigprocmask(SIG_SETMASK, set)). Without XSAVE (`qemu32`, or `max,-xsave`) it runs;
 * LD_BIND_NOW=1 does not help.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from './errors.js';

const PTY_LINE = /uart0 at (\/dev\/pts\/\d+)/;
const QEMU_USER = process.env.QEMU_I386 ?? 'qemu-i386';
const QEMU_ARGS = ['-cpu', 'qemu32'];

/** The command that runs the simulator at `path` here, or undefined when nothing does. */
export function mynewtSimCommand(path: string): string[] | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'fwsign-sim-probe-'));
  try {
    for (const cmd of [[path], [QEMU_USER, ...QEMU_ARGS, path]]) {
      // It prints its pty at once when it runs; 3 s covers the emulator's start on a busy machine.
      const r = spawnSync(cmd[0]!, [...cmd.slice(1), '-f', join(dir, 'flash.bin')], {
        timeout: 3000,
        encoding: 'utf8',
      });
      if (PTY_LINE.test(`${r.stdout ?? ''}${r.stderr ?? ''}`)) return cmd;
    }
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One simulator process on a flash file; a "power cycle" is stop() and a new one on the same file. */
export class MynewtSim {
  private constructor(
    private readonly proc: ChildProcess,
    /** The pty of its UART (SMP over the console framing). */
    readonly pty: string,
  ) {}

  /** Starts `command` (mynewtSimCommand's) on `flashFile` (created when absent) and waits for its pty. */
  static async start(command: string[], flashFile: string, timeoutMs = 10_000): Promise<MynewtSim> {
    const proc = spawn(command[0]!, [...command.slice(1), '-f', flashFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    try {
      const pty = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new HarnessError(
                'BoardStartFailed',
                `the Mynewt simulator printed no "uart0 at /dev/pts/N" within ${timeoutMs} ms: ${out}`,
              ),
            ),
          timeoutMs,
        );
        const look = (b: Buffer): void => {
          out += b.toString();
          const m = PTY_LINE.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        };
        proc.stdout.on('data', look);
        proc.stderr.on('data', look);
        proc.once('error', (err) => reject(err));
        proc.once('exit', (code, signal) =>
          reject(
            new HarnessError(
              'BoardStartFailed',
              `the Mynewt simulator exited (${code ?? signal}) before printing its pty: ${out}`,
            ),
          ),
        );
      });
      return new MynewtSim(proc, pty);
    } catch (err) {
      proc.kill('SIGKILL');
      throw err;
    }
  }

  /** Kills the process (its reset is `while (1);`: a stopped simulator is a board without power). */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.kill('SIGKILL');
    await exited;
  }
}
