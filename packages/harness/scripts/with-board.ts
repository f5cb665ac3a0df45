/**
 * Runs a command against an emulated board: boots QEMU with the verifier firmware and a fresh
 * ECDSA P-256 trust anchor, leaves the UART to the command, and sets the environment the flasher's
 * hardware contract reads (FWSIGN_HIL=qemu, FWSIGN_QEMU_PORT, FWSIGN_HIL_KEY, FWSIGN_HIL_CERTFILE).
 *   pnpm exec tsx packages/harness/scripts/with-board.ts [--machine netduinoplus2] [--uart pty] -- \
 *     pnpm exec vitest run packages/flasher/test/contract.test.ts
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeTrustAnchorTable } from '@fwsign/protocol';
import { QemuBoard, runnableVectorTable } from '../src/index.js';

const sep = process.argv.indexOf('--');
const { values } = parseArgs({
  args: process.argv.slice(2, sep < 0 ? undefined : sep),
  options: { machine: { type: 'string' }, uart: { type: 'string' } },
});
const command = sep < 0 ? [] : process.argv.slice(sep + 1);
if (command.length === 0) {
  console.error('with-board: expected a command after --, got none');
  process.exit(2);
}
const CERTFILE = '/certs/codesign.crt';
const dir = mkdtempSync(join(tmpdir(), 'fwsign-with-board-'));
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const keyFile = join(dir, 'hil.key.pem');
writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
const spki = publicKey.export({ format: 'der', type: 'spki' });
const anchors = encodeTrustAnchorTable([
  {
    name: CERTFILE,
    certSha256: new Uint8Array(createHash('sha256').update(spki).digest()),
    key: { type: 'ec-p256', point: new Uint8Array(spki.subarray(spki.length - 65)) },
  },
]);
const uart = values.uart === 'pty' ? 'pty' : 'socket';
const board = new QemuBoard({ machine: values.machine ?? 'mps2-an386', uart, holdUart: false });
let status = 1;
try {
  await board.start({ anchors });
  const port = board.serialPath();
  console.error(`with-board: ${board.description} on ${port}`);
  const r = spawnSync(command[0]!, command.slice(1), {
    stdio: 'inherit',
    env: {
      ...process.env,
      FWSIGN_HIL: uart === 'socket' ? 'qemu' : '',
      FWSIGN_QEMU_PORT: port,
      FWSIGN_PORT: uart === 'pty' ? port : '',
      FWSIGN_HIL_KEY: keyFile,
      FWSIGN_HIL_CERTFILE: CERTFILE,
      FWSIGN_HIL_VECTORS: Buffer.from(runnableVectorTable(board.memoryMap)).toString('hex'),
    },
  });
  status = r.status ?? 1;
} finally {
  await board.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(status);
