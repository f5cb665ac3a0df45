/** Picks the board a run uses: options first, then FWSIGN_BOARD / FWSIGN_PORT / FWSIGN_QEMU_MACHINE, then QEMU. */
import type { Board, BoardKind } from './board.js';
import { HarnessError } from './errors.js';
import { QemuBoard } from './qemu-board.js';
import { RenodeBoard } from './renode-board.js';
import { SerialBoard } from './serial-board.js';

export interface BoardChoice {
  kind?: BoardKind;
  /** qemu: the machine (mps2-an386, netduinoplus2). */
  machine?: string;
  /** qemu: the UART transport. */
  uart?: 'socket' | 'pty';
  /** serial: the device path. */
  port?: string;
}

export type BoardFactory = (choice: BoardChoice) => Board;

const factories = new Map<BoardKind, BoardFactory>([
  ['qemu', (c) => new QemuBoard({ machine: c.machine, uart: c.uart })],
  ['renode', () => new RenodeBoard()],
  ['serial', (c) => new SerialBoard({ port: c.port ?? '' })],
]);

/** Adds or replaces a board kind (a lab's own board, a different emulator). */
export function registerBoard(kind: BoardKind, factory: BoardFactory): void {
  factories.set(kind, factory);
}

export function boardChoiceFromEnv(env: NodeJS.ProcessEnv = process.env): BoardChoice {
  const kind = (env.FWSIGN_BOARD ?? (env.FWSIGN_PORT ? 'serial' : 'qemu')) as BoardKind;
  return {
    kind,
    ...(env.FWSIGN_QEMU_MACHINE ? { machine: env.FWSIGN_QEMU_MACHINE } : {}),
    ...(env.FWSIGN_PORT ? { port: env.FWSIGN_PORT } : {}),
  };
}

export function createBoard(choice: BoardChoice = boardChoiceFromEnv()): Board {
  const kind = choice.kind ?? 'qemu';
  const f = factories.get(kind);
  if (!f)
    throw new HarnessError(
      'NotSupported',
      `board: expected one of ${[...factories.keys()].join(', ')}, got "${kind}"`,
    );
  return f(choice);
}
