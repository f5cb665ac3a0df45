/**
 * The renode board: the verifier's STM32F4 port, flash-slot build with the real flash driver, on
 * Renode's stm32f4_discovery (whose flash controller and RCC are modelled). A board's first start
 * creates its machine in a shared Renode process (`RenodeMonitor`), USART1 on a server socket
 * terminal the board keeps across power cycles (the USB adapter stays plugged in). A power cut
 * pauses the machine where it is and unplugs USART1 (bytes in flight are lost, as on a dead
 * board); the next start powers the same machine on: flash as it was, SRAM cleared, core and
 * peripherals reset (resc.ts powerOnCommands). Building a machine costs far more than that (the
 * platform description, 2 MiB of flash saved and loaded): a power cycle in place takes about a
 * quarter of the time (scripts/bench/renode-cuts.ts compares the two in one run).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SocketTransport, type Transport } from '@fwsign/flasher';
import { SharedLink, type Board, type BoardStartOptions } from './board.js';
import { HarnessError } from './errors.js';
import { locateFirmware, REPO_ROOT, type Firmware } from './firmware.js';
import { findRenode, freePort, RenodeMonitor, RENODE_HINT } from './renode-monitor.js';
import { cutArmCommand, cutHookCommands, cutStateCommand, parseCutState } from './renode-cuts.js';
import {
  machineCommands,
  powerOnCommands,
  STM32F4_FLASH_BASE,
  STM32F4_FLASH_SIZE,
} from './resc.js';
import { UartLog } from './uart-log.js';

export const RENODE_COMMAND = 'renode --disable-xwt --plain --port N';
/** The firmware layout the board runs: the flash-slot build (FIRMWARE_LAYOUTS). */
export const RENODE_MACHINE = 'stm32f4_discovery';

export interface RenodeBoardOptions {
  /** The renode launcher (default: findRenode()). */
  renode?: string;
  firmware?: Firmware;
  /** A monitor to use instead of the process-wide shared one. */
  monitor?: RenodeMonitor;
  startTimeoutMs?: number;
  /** The platform description (default: PLATFORM_REPL). */
  platform?: string;
  /**
   * How the board comes back after a power cut: 'in-place' (default) powers the same machine on
   * (flash kept, SRAM cleared, reset); 'new-machine' saves the flash to a file and builds a new
   * machine from it, as the first version of this board did (scripts/bench/renode-cuts.ts
   * compares the two).
   */
  powerOn?: 'in-place' | 'new-machine';
}

/**
 * stm32f4_discovery-kit with USART1's model given no clock (see the file). Found from the
 * repository root, which also holds when this module is bundled into the CLI.
 */
export const PLATFORM_REPL = join(
  REPO_ROOT,
  'packages',
  'harness',
  'renode',
  'stm32f4_discovery-fwsign.repl',
);

let boards = 0;

export class RenodeBoard implements Board {
  readonly kind = 'renode' as const;
  readonly uart = new UartLog();
  readonly firmware: Firmware;
  readonly linkTimeoutMs = 20_000;
  /** Starts so far; power cuts so far. */
  starts = 0;
  powerCuts = 0;
  private readonly renode: string;
  private readonly id = ++boards;
  private readonly work: string;
  private readonly startTimeoutMs: number;
  private readonly platform: string;
  private readonly powerOn: 'in-place' | 'new-machine';
  private mon: RenodeMonitor | undefined;
  /** The machine while it runs. */
  private machine: string | undefined;
  /** The machine while its power is off (paused, flash kept, USART1 unplugged). */
  private off: string | undefined;
  /** Whether the cut hooks are installed in the machine (once: arming only sets their target). */
  private hooked = false;
  /** A flash image restoreFlash() asked to put back at the next power-on. */
  private pendingFlash: string | undefined;
  private terminal: string | undefined;
  private uartPort = 0;
  private link: SharedLink | undefined;
  private anchors: Uint8Array | undefined;
  private flashSaved = false;

  constructor(opts: RenodeBoardOptions = {}) {
    const renode = opts.renode ?? opts.monitor?.renode ?? findRenode();
    if (!renode)
      throw new HarnessError(
        'NotSupported',
        `renode board: no Renode found on PATH, in $RENODE or at ../shared/renode/renode; ${RENODE_HINT}`,
      );
    this.renode = renode;
    this.mon = opts.monitor;
    this.firmware = opts.firmware ?? locateFirmware(RENODE_MACHINE);
    this.startTimeoutMs = opts.startTimeoutMs ?? 90_000;
    this.platform = opts.platform ?? PLATFORM_REPL;
    this.powerOn = opts.powerOn ?? 'in-place';
    this.work = mkdtempSync(join(tmpdir(), 'fwsign-renode-board-'));
    chmodSync(this.work, 0o700);
  }

  get description(): string {
    return `renode stm32f4_discovery (${this.machine ?? 'no machine'}, uart tcp:127.0.0.1:${this.uartPort || '?'})`;
  }

  get running(): boolean {
    return this.machine !== undefined && (this.mon?.running ?? false);
  }

  /** The shared Renode process this board's machines run in. */
  get monitor(): RenodeMonitor {
    if (!this.mon)
      throw new HarnessError(
        'BoardNotRunning',
        `${this.description}: expected a started board (no Renode yet)`,
      );
    return this.mon;
  }

  serialPath(): string {
    return `tcp:127.0.0.1:${this.uartPort}`;
  }

  transport(): Transport {
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
    if (!this.anchors && !this.flashSaved)
      throw new HarnessError(
        'BoardStartFailed',
        `${this.description}: start() expected a trust-anchor table on the first start, got none`,
      );
    if (this.anchors && this.anchors.length > this.firmware.memoryMap.anchorsSize)
      throw new HarnessError(
        'BoardStartFailed',
        `trust-anchor table: expected at most ${this.firmware.memoryMap.anchorsSize} bytes, got ${this.anchors.length}`,
      );
    this.mon ??= await RenodeMonitor.shared(this.renode, this.startTimeoutMs);
    const mon = this.mon;
    mon.acquire();
    try {
      if (!this.terminal) {
        this.uartPort = await freePort();
        this.terminal = `fwsign-uart-${this.id}`;
        await mon.execute(
          `emulation CreateServerSocketTerminal ${this.uartPort} "${this.terminal}" false`,
        );
        const inner = await SocketTransport.connect({ port: this.uartPort }, this.startTimeoutMs);
        this.link = new SharedLink(inner);
        this.link.subscribe({ data: (b) => this.uart.push(b) });
      }
      // After a power cut the flash is what it was; a new table given then is written over it.
      let anchors: { path: string; addr: number } | undefined;
      if (this.anchors && ((!this.flashSaved && !this.off) || opts.anchors)) {
        anchors = {
          path: join(this.work, 'anchors.bin'),
          addr: this.firmware.memoryMap.anchorsAddr,
        };
        writeFileSync(anchors.path, this.anchors);
      }
      this.uart.lineBreak();
      if (this.off) {
        const name = this.off;
        const flashImage = this.pendingFlash;
        this.pendingFlash = undefined;
        await mon.execute(
          [
            `mach set "${name}"`,
            ...powerOnCommands({
              terminal: this.terminal,
              ...(flashImage ? { flashImage } : {}),
              ...(anchors ? { anchors } : {}),
            }),
            // A cut point armed before the cut is done with: the hooks count on, stopping nowhere.
            ...(this.hooked ? [cutArmCommand(this.cutKey(name), 0)] : []),
          ],
          this.startTimeoutMs,
        );
        this.off = undefined;
        this.machine = name;
      } else {
        const name = `fwsign-${process.pid}-${this.id}-${this.starts}`;
        const cmds = machineCommands({
          machineName: name,
          terminal: this.terminal,
          platform: this.platform,
          ...(this.flashSaved
            ? { flashImage: this.flashFile }
            : { elf: this.firmware.verifierElf }),
          ...(anchors ? { anchors } : {}),
        });
        await mon.execute(cmds, this.startTimeoutMs);
        this.machine = name;
        this.hooked = false;
      }
      await this.exec(['start']);
      this.starts++;
    } catch (err) {
      if (this.machine) await this.removeMachine().catch(() => undefined);
      mon.release();
      throw err instanceof HarnessError
        ? err
        : new HarnessError('BoardStartFailed', `${this.description}: ${(err as Error).message}`, {
            cause: err,
          });
    }
  }

  /** Monitor commands in this board's machine. */
  exec(commands: readonly string[], timeoutMs?: number): Promise<string> {
    if (!this.running)
      throw new HarnessError(
        'BoardNotRunning',
        `${this.description}: "${commands[0]}" expected a running board, got a stopped one`,
      );
    return this.monitor.execute([`mach set "${this.machine}"`, ...commands], timeoutMs);
  }

  async reset(): Promise<void> {
    await this.exec(['machine Reset']);
  }

  /** Stops the machine at the instruction it is on: its flash is kept for the next start. */
  async powerCut(): Promise<void> {
    await this.exec(['pause']);
    await this.cutPaused();
  }

  /**
   * The second half of a power cut, for a machine already paused (by a hook at an exact point):
   * unplug USART1 and keep the machine, powered off, for the next start (or, 'new-machine': save
   * the flash and remove the machine).
   */
  async cutPaused(): Promise<void> {
    if (this.powerOn === 'new-machine') {
      await this.saveFlash(this.flashFile);
      this.flashSaved = true;
      await this.removeMachine();
    } else {
      const name = this.machine!;
      await this.exec([`connector Disconnect sysbus.usart1 ${this.terminal}`]);
      this.machine = undefined;
      this.off = name;
    }
    this.monitor.release();
    this.uart.lineBreak();
    this.powerCuts++;
  }

  /**
   * Counts this machine's flash operations from now on and, with `pauseAt` > 0, stops the machine
   * before operation `pauseAt` (renode-cuts.ts); `waitPaused` then `cutPaused` make it a power cut.
   * The hooks are installed once per machine; later calls restart the count with a new target.
   */
  async armFlashCut(pauseAt = 0): Promise<void> {
    const key = this.cutKey(this.machine);
    if (!this.hooked) {
      await this.exec(
        cutHookCommands({
          key,
          writeEntry: symbolAddress(this.firmware.verifierElf, 'port_flash_write'),
        }),
      );
      this.hooked = true;
    }
    await this.exec([cutArmCommand(key, pauseAt)]);
  }

  /** Flash operations counted since armFlashCut, their log (E, P, W) and whether the machine is paused. */
  async flashCutState(): Promise<{ ops: number; log: string; paused: boolean }> {
    return parseCutState(await this.exec([cutStateCommand(this.cutKey(this.machine))]));
  }

  /** Resolves once the armed cut point has paused the machine; false after `timeoutMs`. */
  async waitPaused(timeoutMs: number): Promise<boolean> {
    const end = performance.now() + timeoutMs;
    while (performance.now() < end) {
      if ((await this.flashCutState()).paused) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  /** Writes the machine's whole flash to `path` (the board keeps running). */
  async saveFlash(path: string): Promise<void> {
    if (/['"\n]/.test(path))
      throw new RangeError(`saveFlash: path expected without quotes, got ${JSON.stringify(path)}`);
    await this.exec([
      `python "import System; System.IO.File.WriteAllBytes(r'${path}', monitor.Machine['sysbus.flash'].ReadBytes(0, ${STM32F4_FLASH_SIZE}))"`,
    ]);
  }

  /**
   * The next start boots from this flash image (saved by saveFlash) instead of the ELF, or
   * instead of the flash a power cut left.
   */
  restoreFlash(path: string): void {
    if (this.running)
      throw new HarnessError(
        'BoardStartFailed',
        `${this.description}: restoreFlash() expected a stopped board, got a running one`,
      );
    if (this.off) {
      this.pendingFlash = join(this.work, 'restore.bin');
      copyFileSync(path, this.pendingFlash);
    } else {
      copyFileSync(path, this.flashFile);
      this.flashSaved = true;
    }
  }

  async stop(): Promise<void> {
    if (this.running) {
      await this.removeMachine().catch(() => undefined);
      this.mon?.release();
    } else if (this.off) {
      const name = this.off;
      this.off = undefined;
      await this.mon?.execute([`mach rem "${name}"`]).catch(() => undefined);
    }
    const link = this.link;
    this.link = undefined;
    this.terminal = undefined;
    await link?.closeInner().catch(() => undefined);
    rmSync(this.work, { recursive: true, force: true });
  }

  /** The program counter, stack pointer and run state of the machine, for failure reports. */
  async diagnose(): Promise<string> {
    if (!this.running) return `${this.description}: not running`;
    const out = await this.exec(['sysbus.cpu PC', 'sysbus.cpu SP', 'sysbus.cpu IsHalted']).catch(
      (e: Error) => e.message,
    );
    return `${out.trim()}\nRenode said: ${this.monitor.log.slice(-600)}`;
  }

  /** A private (0700) directory that lives as long as the board, for files a test keeps. */
  get workDir(): string {
    return this.work;
  }

  private cutKey(machine: string | undefined): string {
    return `fwsign.${machine ?? 'none'}`;
  }

  private get flashFile(): string {
    return join(this.work, `flash-${STM32F4_FLASH_BASE.toString(16)}.bin`);
  }

  private async removeMachine(): Promise<void> {
    const name = this.machine;
    this.machine = undefined;
    // The terminal outlives the machine: unplugged first, it is free for the next machine's USART1.
    if (name)
      await this.monitor.execute([
        `mach set "${name}"`,
        // Removed while running, a machine leaves the emulation started, and Renode then hangs
        // loading the next machine's platform: paused first, it does not.
        'pause',
        `connector Disconnect sysbus.usart1 ${this.terminal}`,
        `mach rem "${name}"`,
      ]);
  }
}

/** True when a Renode is found here and its monitor comes up (launches the shared one). */
export async function renodeWorks(renode = findRenode()): Promise<boolean> {
  if (!renode) return false;
  try {
    await RenodeMonitor.shared(renode);
    return true;
  } catch {
    return false;
  }
}

/** A function's address in an ELF (Thumb bit cleared), read with arm-none-eabi-nm ($ARM_NM). */
export function symbolAddress(elf: string, name: string): number {
  const out = execFileSync(process.env.ARM_NM ?? 'arm-none-eabi-nm', [elf], { encoding: 'utf8' });
  const m = new RegExp(`^([0-9a-f]+) [Tt] ${name}$`, 'm').exec(out);
  if (!m) throw new HarnessError('FirmwareMissing', `${elf}: expected a symbol ${name}, got none`);
  return parseInt(m[1]!, 16) & ~1;
}
