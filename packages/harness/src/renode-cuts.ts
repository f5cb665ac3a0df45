/**
 * Power cuts at exact flash operations on Renode. Renode's virtual time is deterministic: the
 * same firmware given the same requests performs the same flash operations in the same order, so
 * a run can be stopped before the k-th one. The operations are seen where the firmware starts
 * them, on the flash interface's control register (FLASH_CR, RM0090 3.9.7): a write with STRT
 * starts a sector erase, a write with PG arms the programming of one word or byte. A CPU hook on
 * `port_flash_write` marks where each write call begins, so the points can be chosen as "before
 * each erase", "before each write" and "in the middle of each write".
 *
 * The hooks run inside Renode (IronPython); they count in the process-wide AppDomain data under a
 * key per machine, and the one armed for point k pauses the machine before the k-th operation
 * reaches the controller (before its bits change).
 */

/** One letter per event: E erase started, P word/byte programmed, W a write call began. */
export type FlashEvent = 'E' | 'P' | 'W';

export interface CutPoint {
  /** 1-based index among the E and P events: the machine stops before this operation. */
  op: number;
  /** What the flash is doing there, for reports: "erase #2", "write #3 start", "write #3 middle". */
  label: string;
}

const FLASH_CR_OFFSET = 0x10;
const CR_PG = 0x1;
const CR_STRT = 0x10000;

/**
 * The cut points of an event log: before every erase, before the first word of every write call,
 * and before its middle word when it has at least three (a cut in the middle of a sector write).
 */
export function cutPoints(log: string): CutPoint[] {
  const points: CutPoint[] = [];
  let op = 0;
  let erases = 0;
  let writes = 0;
  let words: number[] = [];
  const endWrite = (): void => {
    if (words.length === 0) return;
    points.push({ op: words[0]!, label: `write #${writes} start` });
    if (words.length >= 3)
      points.push({ op: words[Math.floor(words.length / 2)]!, label: `write #${writes} middle` });
    words = [];
  };
  for (const e of log) {
    if (e === 'W') {
      endWrite();
      writes++;
    } else if (e === 'E') {
      endWrite();
      points.push({ op: ++op, label: `erase #${++erases}` });
    } else if (e === 'P') {
      words.push(++op);
    } else {
      throw new RangeError(`flash event log: expected E, P or W, got ${JSON.stringify(e)}`);
    }
  }
  endWrite();
  return points.sort((a, b) => a.op - b.op);
}

/**
 * A single-line Python statement list (the monitor takes one line; hooks get `self`). The target
 * is read from `<key>.at` on each operation, so a machine's hooks are installed once and re-armed
 * by cutArmCommand.
 */
function counter(key: string, letter: string): string {
  return [
    'import System',
    'd = System.AppDomain.CurrentDomain',
    `k = '${key}'`,
    ...(letter === 'W'
      ? [`d.SetData(k + '.log', (d.GetData(k + '.log') or '') + 'W')`]
      : [
          `c = ${letter}`,
          "n = (d.GetData(k) or 0) + (1 if c != '.' else 0)",
          'd.SetData(k, n)',
          "d.SetData(k + '.log', (d.GetData(k + '.log') or '') + (c if c != '.' else ''))",
          "(c != '.' and n == (d.GetData(k + '.at') or 0)) and self.GetMachine().PauseAndRequestEmulationPause()",
        ]),
  ].join('; ');
}

function checkKey(key: string): void {
  if (!/^[\w.-]+$/.test(key))
    throw new RangeError(`cut hook: key expected [\\w.-]+, got ${JSON.stringify(key)}`);
}

/** The monitor commands that install the counting hooks in the current machine (disarmed). */
export function cutHookCommands(opts: { key: string; writeEntry: number }): string[] {
  checkKey(opts.key);
  const kind = `('E' if value & ${CR_STRT} else ('P' if value & ${CR_PG} else '.'))`;
  return [
    cutArmCommand(opts.key, 0),
    `sysbus.flash_controller AddBeforeWriteDoubleWordHook ${FLASH_CR_OFFSET} "${counter(opts.key, kind)}"`,
    `sysbus.cpu AddHook 0x${opts.writeEntry.toString(16)} "${counter(opts.key, 'W')}"`,
  ];
}

/** The command that restarts the count and stops the machine before op `pauseAt` (0: never). */
export function cutArmCommand(key: string, pauseAt: number): string {
  checkKey(key);
  if (!Number.isInteger(pauseAt) || pauseAt < 0)
    throw new RangeError(`cut hook: pauseAt expected an integer >= 0, got ${pauseAt}`);
  return `python "import System; d = System.AppDomain.CurrentDomain; d.SetData('${key}', 0); d.SetData('${key}.log', ''); d.SetData('${key}.at', ${pauseAt})"`;
}

/** The command printing the counter, the event log and whether the machine is paused, one per line. */
export function cutStateCommand(key: string): string {
  return `python "import System; d = System.AppDomain.CurrentDomain; print(d.GetData('${key}') or 0); print(d.GetData('${key}.log') or '-'); print(monitor.Machine.IsPaused)"`;
}

export function parseCutState(out: string): { ops: number; log: string; paused: boolean } {
  const lines = out
    .trim()
    .split('\n')
    .map((l) => l.trim());
  const [ops, log, paused] = lines.slice(-3);
  return { ops: Number(ops), log: log === '-' ? '' : (log ?? ''), paused: paused === 'True' };
}
