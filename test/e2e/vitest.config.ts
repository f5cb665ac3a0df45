import { defineProject } from 'vitest/config';

// The end-to-end suite boots QEMU boards: its files run one at a time, after the other projects
// (groupOrder 1), so a board never competes with the unit suites for the 2 cores.
export default defineProject({
  test: {
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    sequence: { groupOrder: 1 },
  },
});
