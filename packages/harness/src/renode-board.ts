/**
 * The renode board: the STM32F4 port on Renode's stm32f4_discovery, driven through
 * `renode --console --disable-xwt` (monitor commands on its stdin), console on a pty.
 * Renode reports little through semihosting, so everything is read from the UART.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { SerialTransport, type Transport } from '@fwsign/flasher';
import { SharedLink, type Board, type BoardStartOptions } from './board.js';
import { HarnessError } from './errors.js';
import { locateFirmware, type Firmware } from './firmware.js';
import { renderResc } from './resc.js';
import { UartLog } from './uart-log.js';

export const RENODE_COMMAND = 'renode --console --disable-xwt';

/** The renode binary on PATH (or $RENODE), or undefined. */
export function findRenode(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.RENODE) return existsSync(env.RENODE) ? env.RENODE : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'renode'))) return join(dir, 'renode');
  }
  return undefined;
}

export interface RenodeBoardOptions {
  renode?: string;
  firmware?: Firmware;
  startTimeoutMs?: number;
}

export class RenodeBoard implements Board {
  readonly kind = 'renode' as const;
  readonly uart = new UartLog();
  private readonly work: string;
  private proc: ChildProcess | undefined;
  private link: SharedLink | undefined;
  private output = '';
  private anchors: Uint8Array | undefined;
  private readonly firmware: Firmware;
  private readonly renode: string;
  private readonly startTimeoutMs: number;

  constructor(opts: RenodeBoardOptions = {}) {
    const renode = opts.renode ?? findRenode();
    if (!renode)
      throw new HarnessError(
        'NotSupported',
        `renode board: no renode binary on PATH (install Renode, then run ${RENODE_COMMAND} … or FWSIGN_BOARD=renode pnpm exec vitest run packages/harness)`,
      );
    this.renode = renode;
    this.firmware = opts.firmware ?? locateFirmware('netduinoplus2');
    this.startTimeoutMs = opts.startTimeoutMs ?? 60_000;
    this.work = mkdtempSync(join(tmpdir(), 'fwsign-renode-'));
    chmodSync(this.work, 0o700);
  }

  get description(): string {
    return `renode stm32f4_discovery (pty ${this.ptyPath})`;
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  private get ptyPath(): string {
    return join(this.work, 'uart');
  }

  /** The script this board runs (written at start). */
  script(): string {
    return renderResc({
      elf: this.firmware.verifierElf,
      anchors: join(this.work, 'anchors.bin'),
      anchorsAddr: this.firmware.memoryMap.anchorsAddr,
      ptyPath: this.ptyPath,
    });
  }

  serialPath(): string {
    return this.ptyPath;
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
    if (opts.anchors) this.anchors = opts.anchors;
    if (!this.anchors)
      throw new HarnessError(
        'BoardStartFailed',
        `${this.description}: start() expected a trust-anchor table on the first start, got none`,
      );
    writeFileSync(join(this.work, 'anchors.bin'), this.anchors);
    const resc = join(this.work, 'fwsign.resc');
    writeFileSync(resc, this.script());
    this.output = '';
    const proc = spawn(this.renode, ['--console', '--disable-xwt', resc], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.proc = proc;
    proc.stdout.on('data', (c: Buffer) => (this.output += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (this.output += c.toString()));
    const deadline = performance.now() + this.startTimeoutMs;
    while (!existsSync(this.ptyPath)) {
      if (!this.running || performance.now() > deadline) {
        await this.stop();
        throw new HarnessError(
          'BoardStartFailed',
          `${this.description}: expected Renode to create ${this.ptyPath} within ${this.startTimeoutMs} ms; Renode said: ${this.output.slice(-600)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    this.link = new SharedLink(await SerialTransport.open({ path: this.ptyPath }));
    this.link.subscribe({ data: (b) => this.uart.push(b) });
  }

  async reset(): Promise<void> {
    this.monitor('machine Reset');
  }

  async powerCut(): Promise<void> {
    throw new HarnessError(
      'NotSupported',
      'renode board: power cut with flash kept is not implemented (run power-cut scenarios on the qemu board)',
    );
  }

  async stop(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    await link?.closeInner().catch(() => undefined);
    if (this.running) {
      const proc = this.proc!;
      const exited = new Promise((r) => proc.once('exit', r));
      this.monitor('quit');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    this.proc = undefined;
    rmSync(this.work, { recursive: true, force: true });
  }

  private monitor(command: string): void {
    if (!this.running)
      throw new HarnessError(
        'BoardNotRunning',
        `${this.description}: "${command}" expected a running Renode, got none`,
      );
    this.proc!.stdin!.write(`${command}\n`);
  }
}

/** True when `renode --version` runs here. */
export function renodeWorks(renode = findRenode()): boolean {
  return renode !== undefined && spawnSync(renode, ['--version'], { timeout: 30_000 }).status === 0;
}
