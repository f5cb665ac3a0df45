#!/usr/bin/env bash
# Every test: formatting, TypeScript types, the C verifier's host tests and fuzzers, every vitest
# project (unit, slow and end-to-end), then the flasher's hardware contract on the emulated board.
# Prerequisites are checked first, so a machine that was never set up fails in a second with the
# command that fixes it rather than twenty minutes in.
set -euo pipefail
cd "$(dirname "$0")/.."

SETUP='bash scripts/setup.sh'
problems=()
need() { # need <command> <what it is for> <how to install it>
  command -v "$1" >/dev/null 2>&1 || problems+=("$1 (for $2) is missing: $3")
}
need node 'everything' 'install Node.js 20.19 or newer'
need pnpm 'the workspace' 'npm install -g pnpm@10'
need openssl 'the signature cross-checks' "$SETUP (apt-get install openssl)"
need make 'the C tests' "$SETUP (apt-get install make)"
need cc 'the C host tests' "$SETUP (apt-get install g++)"
need clang 'the C fuzzers' "$SETUP (apt-get install clang libclang-rt-14-dev)"
need arm-none-eabi-gcc 'the board firmware' "$SETUP (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi)"
need qemu-system-arm 'the emulated board' "$SETUP (apt-get install qemu-system-arm)"
need aws 'the AWS CLI compatibility tests' "$SETUP (apt-get install awscli)"
need python3 'the C test vectors and boto3 tests' "$SETUP (apt-get install python3 python3-boto3)"
if command -v node >/dev/null 2>&1 &&
  ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  problems+=("node $(node --version) is too old: install Node.js 20.19 or newer")
fi
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import boto3' 2>/dev/null; then
  problems+=("python3 cannot import boto3 (for the boto3 tests): $SETUP (apt-get install python3-boto3)")
fi
[ -d node_modules/.pnpm ] || problems+=("node_modules is missing: $SETUP (or pnpm install)")
if [ ${#problems[@]} -gt 0 ]; then
  echo "test: this machine is not set up for the tests:" >&2
  printf '  - %s\n' "${problems[@]}" >&2
  exit 1
fi

# The AWS SDK for JavaScript warns once per process that it will require a newer Node; every
# test process would print it. This is the SDK's documented switch (vitest.config.ts sets it too).
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true

total_start=$SECONDS
phase_start=0
phase() { # phase <title> <command...>: a banner with what runs, then how long it took
  local title=$1
  shift
  echo
  echo "==== test: ${title}: $*"
  phase_start=$SECONDS
  if ! "$@"; then
    echo "==== test: ${title}: FAILED after $((SECONDS - phase_start)) s (rerun: $*)" >&2
    exit 1
  fi
  echo "==== test: ${title}: passed in $((SECONDS - phase_start)) s"
}

phase 'formatting' pnpm -s format:check
phase 'types' pnpm -s typecheck
phase 'C host tests' make -s -C firmware-verifier test
phase 'C fuzzers' make -s -C firmware-verifier fuzz
phase 'vitest (every project)' pnpm -s exec vitest run
phase 'flasher contract on QEMU' pnpm -s exec tsx packages/harness/scripts/with-board.ts -- \
  pnpm -s exec vitest run packages/flasher/test/contract.test.ts
echo
echo "==== test: all phases passed in $((SECONDS - total_start)) s"
