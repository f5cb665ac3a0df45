/**
 * The default board: Debian's qemu-system-arm running the verifier firmware. The trust-anchor
 * table goes in with -device loader; the UART is a Unix socket (nothing lost) or a pseudo-terminal
 * (what a USB adapter looks like); QMP on a socket resets, pauses and quits. A power cut pauses the
 * guest at whatever instruction it is on, saves the slot memory with pmemsave and kills QEMU with
 * SIGKILL; the next start writes the slots back through the gdb stub before the guest runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialTransport, SocketTransport, type Transport } from '@fwsign/flasher';
import { SharedLink, type Board, type BoardStartOptions } from './board.js';
import { HarnessError } from './errors.js';
import { locateFirmware, type Firmware } from './firmware.js';
import { GdbStub } from './gdb-stub.js';
import { slotRegions, type MemoryMap, type MemoryRegion } from './memmap.js';
import { QmpClient } from './qmp.js';
import { UartLog } from './uart-log.js';

export interface QemuBoardOptions {
  /** QEMU machine: mps2-an386 (default) or netduinoplus2 (the STM32F4 port). */
  machine?: string;
  /** How the UART reaches the host (default socket). */
  uart?: 'socket' | 'pty';
  /** The qemu-system-arm binary (default $QEMU or qemu-system-arm). */
  qemu?: string;
  /** Firmware outputs; default: located (and built if missing) for the machine. */
  firmware?: Firmware;
  /** How long to wait for QEMU to come up (default 15 s). */
  startTimeoutMs?: number;
  /**
   * false leaves the UART to another program (a `fwsign` child process, a terminal, the flasher's
   * contract suite): the pty is not opened, the socket is not connected (QEMU listens without
   * waiting); transport() and the UART log are then unavailable (default true).
   */
  holdUart?: boolean;
}

/** QEMU polls a pseudo-terminal for a reader once a second; output before it notices is dropped. */
const PTY_NOTICE_MS = 1200;

export class QemuBoard implements Board {
  readonly kind = 'qemu' as const;
  readonly uart = new UartLog();
  readonly machine: string;
  readonly uartMode: 'socket' | 'pty';
  private readonly qemu: string;
  private readonly firmware: Firmware;
  private readonly work: string;
  private readonly regions: MemoryRegion[];
  private proc: ChildProcess | undefined;
  private qmp: QmpClient | undefined;
  private link: SharedLink | undefined;
  private ptyPath = '';
  private stderr = '';
  private anchors: Uint8Array | undefined;
  private savedSlots = false;
  private readonly startTimeoutMs: number;
  private readonly holdUart: boolean;
  /** Starts so far (1 after the first boot); power cuts so far. */
  starts = 0;
  powerCuts = 0;

  /** The firmware's memory map, as its linker script has it. */
  get memoryMap(): MemoryMap {
    return this.firmware.memoryMap;
  }

  constructor(opts: QemuBoardOptions = {}) {
    this.machine = opts.machine ?? 'mps2-an386';
    this.uartMode = opts.uart ?? 'socket';
    this.qemu = opts.qemu ?? process.env.QEMU ?? 'qemu-system-arm';
    this.firmware = opts.firmware ?? locateFirmware(this.machine);
    this.regions = slotRegions(this.firmware.memoryMap);
    this.startTimeoutMs = opts.startTimeoutMs ?? 15_000;
    this.holdUart = opts.holdUart ?? true;
    this.work = mkdtempSync(join(tmpdir(), 'fwsign-qemu-'));
    chmodSync(this.work, 0o700);
  }

  get description(): string {
    return `qemu ${this.machine} (${this.uartMode}${this.ptyPath ? ` ${this.ptyPath}` : ''})`;
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  serialPath(): string {
    if (!this.running)
      throw new HarnessError(
        'BoardNotRunning',
        `${this.description}: serialPath() expected a started board, got a stopped one`,
      );
    return this.uartMode === 'pty' ? this.ptyPath : `unix:${join(this.work, 'uart.sock')}`;
  }

  transport(): Transport {
    if (!this.holdUart)
      throw new HarnessError(
        'NotSupported',
        `${this.description}: transport() is not available with holdUart: false; open ${this.serialPath()} instead`,
      );
    if (!this.link || !this.running)
      throw new HarnessError(
        'BoardNotRunning',
        `${this.description}: transport() expected a started board, got a stopped one`,
      );
    return this.link;
  }

  async start(opts: BoardStartOptions = {}): Promise<void> {
    if (this.running)
      throw new HarnessError(
        'BoardStartFailed',
        `${this.description}: start() expected a stopped board, got a running one`,
      );
    if (opts.anchors) this.anchors = opts.anchors;
    if (!this.anchors)
      throw new HarnessError(
        'BoardStartFailed',
        `${this.description}: start() expected a trust-anchor table on the first start, got none`,
      );
    if (this.anchors.length > this.firmware.memoryMap.anchorsSize) {
      throw new HarnessError(
        'BoardStartFailed',
        `trust-anchor table: expected at most ${this.firmware.memoryMap.anchorsSize} bytes, got ${this.anchors.length}`,
      );
    }
    const anchorsFile = join(this.work, 'anchors.bin');
    writeFileSync(anchorsFile, this.anchors);
    const qmpPath = join(this.work, 'qmp.sock');
    const gdbPath = join(this.work, 'gdb.sock');
    const uartPath = join(this.work, 'uart.sock');
    for (const p of [qmpPath, gdbPath, uartPath]) rmSync(p, { force: true });
    const args = [
      '-M',
      this.machine,
      '-nographic',
      '-monitor',
      'none',
      '-S',
      '-kernel',
      this.firmware.verifierElf,
      '-device',
      `loader,file=${anchorsFile},addr=0x${this.firmware.memoryMap.anchorsAddr.toString(16)}`,
      '-qmp',
      `unix:${qmpPath},server=on,wait=off`,
    ];
    if (this.savedSlots)
      args.push(
        '-chardev',
        `socket,id=gdb0,path=${gdbPath},server=on,wait=off`,
        '-gdb',
        'chardev:gdb0',
      );
    if (this.uartMode === 'socket')
      args.push(
        '-chardev',
        `socket,id=uart,path=${uartPath},server=on,wait=${this.holdUart ? 'on' : 'off'}`,
        '-serial',
        'chardev:uart',
      );
    else args.push('-serial', 'pty');

    this.stderr = '';
    this.uart.lineBreak();
    const proc = spawn(this.qemu, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    let ptyResolve: ((p: string) => void) | undefined;
    const onOutput = (chunk: Buffer): void => {
      this.stderr += chunk.toString();
      const m = /char device redirected to (\/dev\/pts\/\d+)/.exec(this.stderr);
      if (m && ptyResolve) ptyResolve(m[1]!);
    };
    proc.stdout.on('data', onOutput);
    proc.stderr.on('data', onOutput);
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.once('error', (err) => {
      this.stderr += `spawn: ${err.message}`;
    });
    try {
      // The log listens from the first byte: nothing the board prints is dropped.
      const attach = (inner: Transport): void => {
        this.link = new SharedLink(inner);
        this.link.subscribe({ data: (b) => this.uart.push(b) });
      };
      if (this.uartMode === 'socket' && this.holdUart) {
        attach(new SocketTransport(await this.connectUart(uartPath), uartPath));
      } else if (this.uartMode === 'pty') {
        this.ptyPath = await this.withDeadline(
          new Promise<string>((r) => (ptyResolve = r)),
          'its pseudo-terminal path',
        );
      }
      this.qmp = await QmpClient.connect(qmpPath, this.startTimeoutMs, () => this.running);
      if (this.savedSlots) await this.restoreSlots(gdbPath);
      if (this.uartMode === 'pty' && this.holdUart) {
        attach(await SerialTransport.open({ path: this.ptyPath, baudRate: 115200 }));
        await new Promise((r) => setTimeout(r, PTY_NOTICE_MS));
      }
      const state = (await this.qmp.execute('query-status')) as { status: string };
      // -S (and the gdb stub while it writes) hold the guest: anything else is a start we did not control.
      if (state.status === 'running')
        throw new HarnessError(
          'BoardStartFailed',
          `${this.description}: expected the guest paused before cont, got it running`,
        );
      await this.qmp.execute('cont');
      this.starts++;
    } catch (err) {
      await this.kill(exited);
      throw err instanceof HarnessError
        ? err
        : new HarnessError(
            'BoardStartFailed',
            `${this.description}: ${(err as Error).message}; QEMU said: ${this.stderr.trim().slice(-600)}`,
            { cause: err },
          );
    }
  }

  async reset(): Promise<void> {
    await this.monitor().execute('system_reset');
  }

  async powerCut(): Promise<void> {
    const qmp = this.monitor();
    const proc = this.proc!;
    const exited = new Promise<void>((resolve) =>
      proc.exitCode !== null || proc.signalCode !== null
        ? resolve()
        : proc.once('exit', () => resolve()),
    );
    // Paused, the guest is frozen between two instructions: the memory saved is the flash at that instant.
    await qmp.execute('stop');
    for (const r of this.regions)
      await qmp.execute('pmemsave', { val: r.addr, size: r.size, filename: this.slotFile(r) });
    this.savedSlots = true;
    proc.kill('SIGKILL');
    await exited;
    await this.release();
    this.powerCuts++;
  }

  async stop(): Promise<void> {
    if (this.proc) {
      const proc = this.proc;
      const exited = new Promise<void>((resolve) =>
        proc.exitCode !== null || proc.signalCode !== null
          ? resolve()
          : proc.once('exit', () => resolve()),
      );
      if (this.running) await this.qmp?.execute('quit', undefined, 3000).catch(() => undefined);
      await this.kill(exited);
    }
    rmSync(this.work, { recursive: true, force: true });
  }

  /** The run state and CPU registers (PC, SP, xPSR) from the monitor. */
  async diagnose(): Promise<string> {
    if (!this.running || !this.qmp)
      return `${this.description}: not running; QEMU said: ${this.stderr.trim().slice(-300)}`;
    const status = (await this.qmp.execute('query-status').catch((e: Error) => e.message)) as
      { status?: string } | string;
    const regs = await this.qmp
      .execute('human-monitor-command', { 'command-line': 'info registers' })
      .catch((e: Error) => e.message);
    return `run state: ${typeof status === 'string' ? status : status.status}\n${String(regs).trim()}`;
  }

  /** QEMU's own messages so far (for failure reports). */
  qemuOutput(): string {
    return this.stderr;
  }

  private monitor(): QmpClient {
    if (!this.running || !this.qmp)
      throw new HarnessError(
        'BoardNotRunning',
        `${this.description}: expected a running board, got a stopped one${this.stderr ? ` (QEMU said: ${this.stderr.trim().slice(-300)})` : ''}`,
      );
    return this.qmp;
  }

  private slotFile(r: MemoryRegion): string {
    return join(this.work, `slots-${r.addr.toString(16)}.bin`);
  }

  /** Writes back the saved slot memory; erased (all-zero, as QEMU starts its RAM) sectors are skipped. */
  private async restoreSlots(gdbPath: string): Promise<void> {
    const stub = await GdbStub.connect(gdbPath, this.startTimeoutMs);
    try {
      const sector = this.firmware.memoryMap.sectorSize;
      for (const r of this.regions) {
        const file = this.slotFile(r);
        if (!existsSync(file)) continue;
        const bytes = new Uint8Array(readFileSync(file));
        for (let off = 0; off < bytes.length; off += sector) {
          const part = bytes.subarray(off, Math.min(bytes.length, off + sector));
          if (part.some((b) => b !== 0)) await stub.writeMemory(r.addr + off, part);
        }
      }
    } finally {
      stub.close();
    }
  }

  private async connectUart(path: string): Promise<net.Socket> {
    const deadline = performance.now() + this.startTimeoutMs;
    for (;;) {
      try {
        return await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect({ path });
          s.once('connect', () => {
            s.removeAllListeners('error');
            resolve(s);
          });
          s.once('error', reject);
        });
      } catch (err) {
        if (!this.running || performance.now() > deadline) {
          throw new HarnessError(
            'BoardStartFailed',
            `${this.description}: expected QEMU's UART socket ${path} within ${this.startTimeoutMs} ms, got ${(err as Error).message}; QEMU said: ${this.stderr.trim().slice(-600)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 30));
      }
    }
  }

  private withDeadline<T>(p: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new HarnessError(
              'BoardStartFailed',
              `${this.description}: expected QEMU to report ${what} within ${this.startTimeoutMs} ms; QEMU said: ${this.stderr.trim().slice(-600)}`,
            ),
          ),
        this.startTimeoutMs,
      );
      const onExit = (): void => {
        clearTimeout(timer);
        reject(
          new HarnessError(
            'BoardStartFailed',
            `${this.description}: QEMU exited before reporting ${what}; QEMU said: ${this.stderr.trim().slice(-600)}`,
          ),
        );
      };
      this.proc?.once('exit', onExit);
      p.then((v) => {
        clearTimeout(timer);
        this.proc?.off('exit', onExit);
        resolve(v);
      }, reject);
    });
  }

  private async kill(exited: Promise<void>): Promise<void> {
    if (this.running) this.proc!.kill('SIGKILL');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
    await this.release();
  }

  private async release(): Promise<void> {
    this.qmp?.close();
    this.qmp = undefined;
    const link = this.link;
    this.link = undefined;
    await link?.closeInner().catch(() => undefined);
    this.proc = undefined;
    this.ptyPath = '';
  }
}
