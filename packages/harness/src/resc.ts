/**
 * The Renode monitor commands that bring up the verifier's STM32F4 port on Renode's
 * stm32f4_discovery: a machine, the platform, USART1 (0x40011000, the port's console) connected to
 * a terminal, and the flash: on a first start the verifier ELF plus the provisioned trust-anchor
 * table, after a power cut the whole 2 MiB flash as it was. Pure text from its inputs, so a golden
 * file pins it; `renderResc` wraps the same commands as a .resc script to run by hand.
 */

export interface MachineScriptOptions {
  machineName: string;
  /** The terminal (created once per board, outliving its machines) USART1 is connected to. */
  terminal: string;
  /** The platform description (default Renode's stm32f4_discovery-kit). */
  platform?: string;
  /** First start: the verifier ELF (linked at 0x08000000) and the trust-anchor table. */
  elf?: string;
  anchors?: { path: string; addr: number };
  /** After a power cut: the flash contents saved at the cut, loaded at `flashBase` (anchors, if given, over it). */
  flashImage?: string;
  flashBase?: number;
  /** Vector table base: the verifier's flash origin. */
  vectorTable?: number;
}

export interface RescOptions extends Omit<MachineScriptOptions, 'machineName' | 'terminal'> {
  machineName?: string;
  /** TCP port of the server socket terminal the flasher connects to (tcp:127.0.0.1:PORT). */
  uartPort: number;
}

export const STM32F4_FLASH_BASE = 0x08000000;
/** Renode's stm32f4.repl: `flash: Memory.MappedMemory @ sysbus 0x08000000 { size: 0x200000 }`. */
export const STM32F4_FLASH_SIZE = 0x200000;
/** Renode's stm32f4.repl: `sram: Memory.MappedMemory @ sysbus 0x20000000 { size: 0x00040000 }`. */
export const STM32F4_SRAM_SIZE = 0x40000;

/** Renode takes @path literally up to the end of the token; quoting keeps spaces safe. */
function at(path: string): string {
  if (/["\n]/.test(path))
    throw new RangeError(
      `renode script: path expected without quotes or newlines, got ${JSON.stringify(path)}`,
    );
  return /\s/.test(path) ? `@"${path}"` : `@${path}`;
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/** The commands that create and load one machine (it is left paused: `start` runs it). */
export function machineCommands(opts: MachineScriptOptions): string[] {
  if (!opts.flashImage && !opts.elf)
    throw new RangeError(
      'renode script: expected an ELF (first start) or a flash image, got neither',
    );
  const load = [
    // A part leaves the factory erased; Renode's flash starts as zeros (never-erased NOR).
    ...(opts.flashImage ? [] : [`sysbus.flash SetRange 0 ${hex(STM32F4_FLASH_SIZE)} 0xff`]),
    opts.flashImage
      ? `sysbus LoadBinary ${at(opts.flashImage)} ${hex(opts.flashBase ?? STM32F4_FLASH_BASE)}`
      : `sysbus LoadELF ${at(opts.elf!)}`,
    ...(opts.anchors
      ? [`sysbus LoadBinary ${at(opts.anchors.path)} ${hex(opts.anchors.addr)}`]
      : []),
  ];
  return [
    `mach create "${opts.machineName}"`,
    `machine LoadPlatformDescription ${at(opts.platform ?? 'platforms/boards/stm32f4_discovery-kit.repl')}`,
    // Errors only from USART1: with no clock (stm32f4_discovery-fwsign.repl) its model warns on
    // every byte received that it cannot time the idle line.
    'logLevel 3 sysbus.usart1',
    `connector Connect sysbus.usart1 ${opts.terminal}`,
    // Synchronise every 1 ms of virtual time, not Renode's 100 us: host bytes still reach the UART
    // at the next sync, and an idle machine (the verifier waits in WFI) costs a tenth of the host
    // time, which a loaded host gives to the link instead (hil.ts --board renode at load 18-20:
    // 0.93 of the 115200-baud framing limit, 0.79 with 100 us).
    'emulation SetGlobalQuantum "0.001"',
    ...load,
    // The core boots through VTOR; Renode runs the machine's `reset` macro on every reset
    // (SYSRESETREQ included), where VTOR would otherwise come back as 0.
    `macro reset "sysbus.cpu VectorTableOffset ${hex(opts.vectorTable ?? STM32F4_FLASH_BASE)}"`,
    'runMacro $reset',
  ];
}

export interface PowerOnOptions {
  terminal: string;
  /** A flash image to put back first (restoring a saved state), loaded at the flash base. */
  flashImage?: string;
  anchors?: { path: string; addr: number };
}

/**
 * The commands that power a paused machine back on after a power cut, in place of a new machine:
 * what survives a power loss is the flash (kept, or `flashImage` put back); SRAM is cleared as a
 * new machine's is (Renode's memories keep their contents across `machine Reset`, which is what a
 * warm reset does: the boot-request word relies on it), USART1 is plugged back into the terminal,
 * and the reset puts the core and every peripheral in their power-on state (the reset macro sets
 * VTOR). The machine is left paused: `start` runs it.
 */
export function powerOnCommands(opts: PowerOnOptions): string[] {
  return [
    `sysbus.sram SetRange 0 ${hex(STM32F4_SRAM_SIZE)} 0x00`,
    ...(opts.flashImage
      ? [`sysbus LoadBinary ${at(opts.flashImage)} ${hex(STM32F4_FLASH_BASE)}`]
      : []),
    ...(opts.anchors
      ? [`sysbus LoadBinary ${at(opts.anchors.path)} ${hex(opts.anchors.addr)}`]
      : []),
    `connector Connect sysbus.usart1 ${opts.terminal}`,
    'machine Reset',
  ];
}

/** The same board as a .resc script: `renode --disable-xwt fwsign.resc`, then connect to the port. */
export function renderResc(opts: RescOptions): string {
  const terminal = 'fwsign-uart';
  return [
    ':name: fwsign verifier (STM32F4)',
    ':description: the fwsign verifier on stm32f4_discovery, console on USART1 through a TCP socket; generated by @fwsign/harness',
    '',
    '# The console: USART1 on a TCP socket (fwsign flash --port tcp:127.0.0.1:PORT).',
    `emulation CreateServerSocketTerminal ${opts.uartPort} "${terminal}" false`,
    '',
    ...machineCommands({ ...opts, machineName: opts.machineName ?? 'fwsign-stm32f4', terminal }),
    '',
    'start',
    '',
  ].join('\n');
}
