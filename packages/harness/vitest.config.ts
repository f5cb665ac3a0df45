import { defineProject } from 'vitest/config';

// Every QEMU test file boots real boards: one file at a time keeps a 2-core machine responsive.
export default defineProject({
  test: { fileParallelism: false, testTimeout: 60_000, hookTimeout: 60_000 },
});
