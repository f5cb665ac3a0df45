/** `fwsign store copy`: a SQLite data dir into an empty PostgreSQL database, checked. */
import { copyStoreToPostgres } from '@fwsign/store';
import { parse, pathOf, requireString } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';
import { postgresUrl } from '../store-location.js';

export const storeCopy: Command = {
  name: 'store copy',
  usage: `fwsign store copy --from DATA_DIR --to postgres://USER@HOST:PORT/DB
  Copies every table of DATA_DIR's store (sealed keys and the master key's check value with them,
  never the key itself) and every object version's bytes into the empty PostgreSQL database, in
  one transaction, then reads it back and checks it: each table's rows and each object's size and
  ETag. Stop the server on DATA_DIR first; what it writes after the copy began is not copied.`,
  async run(args, io) {
    const p = parse(args, { from: { type: 'string' }, to: { type: 'string' } });
    const to = postgresUrl('--to', requireString(p, 'to'));
    const r = await copyStoreToPostgres({ dataDir: pathOf(io, requireString(p, 'from')), to });
    const rows = Object.values(r.tables).reduce((a, b) => a + b, 0);
    io.stdout.write(
      `copied ${rows} rows in ${Object.keys(r.tables).length} tables and ${r.objects} object versions (${r.objectBytes} bytes) at schema version ${r.schemaVersion}; checked\n`,
    );
    return EXIT_OK;
  },
};
