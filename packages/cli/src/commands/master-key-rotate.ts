/** `fwsign master-key rotate`: re-seals a store's secrets (SQLite data dir, or PostgreSQL) under a new master key. */
import { parseMasterKey, SignerStore } from '@fwsign/store';
import { optionalString, parse, pathOf } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';
import { STORE_FLAGS, storeLocation } from '../store-location.js';

export const masterKeyRotate: Command = {
  name: 'master-key rotate',
  usage:
    'fwsign master-key rotate --data-dir DIR [--out NEW_KEY_FILE]\n' +
    'fwsign master-key rotate --database postgres://USER:PASSWORD@HOST:PORT/DB [--data-dir DIR] [--out NEW_KEY_FILE]\n' +
    '  Stop the server on DIR first. The new key replaces DIR/master.key; when the current key comes\n' +
    '  from FWSIGN_MASTER_KEY, --out names a new 0600 file for it (then set FWSIGN_MASTER_KEY from it).\n' +
    '  With --database (or FWSIGN_DATABASE) every secret in the PostgreSQL store is re-sealed in one\n' +
    '  transaction; the current key is FWSIGN_MASTER_KEY, or DIR/master.key. Then restart every server\n' +
    '  with the new key: until then they seal nothing new, and one still on the old key refuses to start.\n' +
    '  The key is never printed. Back it up apart from the data dir: without it the keys cannot be opened.',
  async run(args, io) {
    const p = parse(args, { ...STORE_FLAGS, out: { type: 'string' } });
    const { database, dataDir } = storeLocation(io, p);
    const out = optionalString(p, 'out');
    const envKey = io.env['FWSIGN_MASTER_KEY'] || undefined;
    const r = SignerStore.rotateMasterKey({
      ...(envKey !== undefined
        ? {
            masterKey: parseMasterKey(envKey, 'FWSIGN_MASTER_KEY'),
            masterKeySource: 'FWSIGN_MASTER_KEY',
          }
        : {}),
      ...(dataDir !== undefined ? { dataDir } : {}),
      ...(database !== undefined ? { database } : {}),
      ...(out !== undefined ? { out: pathOf(io, out) } : {}),
    });
    io.stdout.write(
      `re-sealed ${r.resealed} private key${r.resealed === 1 ? '' : 's'} under a new master key, written to ${r.keyFile}\n` +
        (database !== undefined
          ? 'restart every server on the database with it now (FWSIGN_MASTER_KEY or DATA_DIR/master.key), and back it up apart from the database: the old key no longer opens them\n'
          : 'back that file up apart from the data dir now: the old key no longer opens them\n'),
    );
    return EXIT_OK;
  },
};
