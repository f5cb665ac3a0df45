/** `fwsign master-key rotate`: re-seals a data dir's private keys under a new master key. */
import { SignerStore } from '@fwsign/store';
import { optionalString, parse, pathOf, requireString } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';

export const masterKeyRotate: Command = {
  name: 'master-key rotate',
  usage:
    'fwsign master-key rotate --data-dir DIR [--out NEW_KEY_FILE]\n' +
    '  Stop the server on DIR first. The new key replaces DIR/master.key; when the current key comes\n' +
    '  from FWSIGN_MASTER_KEY, --out names a new 0600 file for it (then set FWSIGN_MASTER_KEY from it).\n' +
    '  The key is never printed. Back it up apart from the data dir: without it the keys cannot be opened.',
  async run(args, io) {
    const p = parse(args, { 'data-dir': { type: 'string' }, out: { type: 'string' } });
    const dataDir = pathOf(io, requireString(p, 'data-dir'));
    const out = optionalString(p, 'out');
    const r = SignerStore.rotateMasterKey({
      dataDir,
      ...(out !== undefined ? { out: pathOf(io, out) } : {}),
    });
    io.stdout.write(
      `re-sealed ${r.resealed} private key${r.resealed === 1 ? '' : 's'} under a new master key, written to ${r.keyFile}\n` +
        'back that file up apart from the data dir now: the old key no longer opens them\n',
    );
    return EXIT_OK;
  },
};
