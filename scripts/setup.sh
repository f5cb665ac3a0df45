#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine with Node 20+: system packages, pnpm, the workspace's
# dependencies, and the firmware builds. Safe to run again: every step is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  openssl                       # independent signer/verifier the tests cross-check against
  qemu-system-arm               # the emulated board (mps2-an386, netduinoplus2)
  gcc-arm-none-eabi             # the board's compiler
  libnewlib-arm-none-eabi       # memcpy/memset and crt for the bare-metal builds
  clang libclang-rt-14-dev      # libFuzzer for the C fuzz targets
  make g++ python3              # node-gyp builds better-sqlite3 from source
  sqlite3                       # inspecting data dirs by hand
  awscli python3-boto3 python3-botocore  # the real AWS clients the API is tested with
  python3-cryptography-vectors  # NIST CAVP vectors for the C verifier
  zip unzip                     # Lambda deployment packages: made by zip, checked by unzip -t
  chromium                      # the web console's browser tests (playwright-core drives it)
  libc6-i386                    # runs Mynewt's 32-bit SMP server simulator (../shared/peers), where the kernel can
  qemu-user                     # qemu-i386 runs that simulator where the kernel cannot (no IA32 emulation)
  # Keys in a token: SoftHSM2 is the PKCS#11 module the token tests sign through (throw-away
  # tokens in temp dirs); OpenSC's pkcs11-tool inspects a token independently of fwsign.
  softhsm2 opensc
  # The PostgreSQL store's tests start their own server from these binaries (initdb in a temp dir).
  postgresql
)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Renode (optional): when one is found (renode on PATH, $RENODE, or ../shared/renode/renode beside
# the repository, as packages/harness finds it), install the Mono runtime it runs on. Without one,
# the Renode tests are skipped with a message.
RENODE_BIN="${RENODE:-$(command -v renode || true)}"
[ -n "$RENODE_BIN" ] || { [ -x ../shared/renode/renode ] && RENODE_BIN=../shared/renode/renode; } || true
RENODE_MONO=(mono-runtime libmono-microsoft-csharp4.0-cil libmono-posix4.0-cil libmono-system-drawing4.0-cil
  libmono-system-runtime4.0-cil libmono-system-runtime-serialization4.0-cil libmono-system-servicemodel4.0a-cil
  libmono-system-web4.0-cil libmono-system-xaml4.0-cil libmono-system-xml-linq4.0-cil)
# Every package checked, not `mono` alone: a machine with Mono but not all of these runs no Renode.
if [ -n "$RENODE_BIN" ] && ! dpkg -s "${RENODE_MONO[@]}" >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: Renode at $RENODE_BIN: installing its Mono runtime"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${RENODE_MONO[@]}" >/dev/null
fi

# corepack fails its signature check on these machines, so pnpm comes from npm.
if ! command -v pnpm >/dev/null || [ "$(pnpm --version | cut -d. -f1)" != "10" ]; then
  npm install -g pnpm@10 >/dev/null
fi

pnpm install --frozen-lockfile --reporter=append-only >/dev/null
# The web console's static files, which `fwsign serve` serves at /console/ and its tests load.
pnpm -s --filter @fwsign/console build
# The `fwsign` command: build the CLI's bundle and link it as `npm link` would (the package in
# npm's global node_modules, its bin in npm's global bin, which is on PATH). npm link itself cannot
# be used: it installs the package's dependencies with npm, which refuses pnpm's workspace:*.
pnpm -s --filter @fwsign/cli build
npm_root="$(npm root -g)"
npm_bin="$(npm prefix -g)/bin"
mkdir -p "$npm_root/@fwsign" "$npm_bin"
ln -sfn "$PWD/packages/cli" "$npm_root/@fwsign/cli"
ln -sfn "$npm_root/@fwsign/cli/dist/fwsign.mjs" "$npm_bin/fwsign"
command -v fwsign >/dev/null || echo "setup: fwsign is in $npm_bin, which is not on PATH: add it"

echo "setup: done"
