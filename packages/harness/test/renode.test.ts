/**
 * The renode board: the generated .resc is pinned by a golden file (checked everywhere); the live
 * board runs only where a renode binary is on PATH.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  HarnessError,
  RENODE_COMMAND,
  RenodeBoard,
  DeviceSession,
  findRenode,
  renderResc,
  createBoard,
} from '../src/index.js';
import { ecKey } from './keys.js';

const golden = new URL('./fixtures/stm32f4-discovery.resc', import.meta.url);
const sample = {
  elf: '/opt/fwsign/firmware-verifier/build/stm32f4/verifier.elf',
  anchors: '/tmp/fwsign-renode-x/anchors.bin',
  anchorsAddr: 0x08008000,
  ptyPath: '/tmp/fwsign-renode-x/uart',
};

describe('renode script', () => {
  it('matches the golden file (FWSIGN_UPDATE_GOLDEN=1 rewrites it)', () => {
    const text = renderResc(sample);
    if (process.env.FWSIGN_UPDATE_GOLDEN) writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });

  it('loads the ELF and the anchors in the reset macro, on USART1, and starts', () => {
    const lines = renderResc(sample).split('\n');
    const idx = (s: string): number => lines.findIndex((l) => l.trim() === s);
    expect(idx(`sysbus LoadELF @${sample.elf}`)).toBeGreaterThan(idx('macro reset'));
    expect(idx(`sysbus LoadBinary @${sample.anchors} 0x08008000`)).toBeGreaterThan(
      idx(`sysbus LoadELF @${sample.elf}`),
    );
    expect(lines).toContain(
      `emulation CreateUartPtyTerminal "fwsign-uart" "${sample.ptyPath}" true`,
    );
    expect(lines).toContain('connector Connect sysbus.usart1 fwsign-uart');
    expect(lines.filter((l) => l.trim()).at(-1)).toBe('start');
  });

  it('quotes paths with spaces and refuses paths that would break the script', () => {
    expect(renderResc({ ...sample, elf: '/my builds/verifier.elf' })).toContain(
      'sysbus LoadELF @"/my builds/verifier.elf"',
    );
    expect(() => renderResc({ ...sample, anchors: '/tmp/a"b' })).toThrow(
      /path expected without quotes or newlines/,
    );
  });
});

const renode = findRenode();
if (!renode)
  console.info(
    `renode board tests skipped: no renode on PATH; install Renode, then run FWSIGN_BOARD=renode pnpm exec vitest run packages/harness (the board runs ${RENODE_COMMAND} fwsign.resc)`,
  );

describe.runIf(!renode)('renode board without renode', () => {
  it('says which command it needs', () => {
    expect(() => new RenodeBoard()).toThrow(HarnessError);
    expect(() => createBoard({ kind: 'renode' })).toThrow(
      /no renode binary on PATH.*renode --console --disable-xwt/,
    );
  });
});

describe.runIf(renode)('renode board (stm32f4_discovery)', () => {
  it('boots the verifier and answers SMP over the pty', async () => {
    const key = ecKey();
    const board = new RenodeBoard();
    try {
      await board.start({ anchors: key.anchors });
      const s = new DeviceSession(board.transport());
      await s.sync(60_000);
      expect((await s.status()).slotSize).toBeGreaterThan(0);
      s.close();
    } finally {
      await board.stop();
      key.dispose();
    }
  }, 120_000);
});
