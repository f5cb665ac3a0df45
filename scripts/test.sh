#!/usr/bin/env bash
# Every test: the protocol drift check and TypeScript types, the C verifier's host tests and
# fuzzers, then every vitest project (unit, slow and end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."

pnpm -s format:check
pnpm -s lint
make -s -C firmware-verifier format-check
pnpm -s arrows
pnpm -s unused
pnpm -s typecheck
if [ -f firmware-verifier/Makefile ]; then
  make -s -C firmware-verifier test
  make -s -C firmware-verifier fuzz
fi
pnpm -s exec vitest run
# The flasher's hardware contract against the emulated board (QEMU running the verifier firmware).
pnpm -s exec tsx packages/harness/scripts/with-board.ts -- pnpm -s exec vitest run packages/flasher/test/contract.test.ts
