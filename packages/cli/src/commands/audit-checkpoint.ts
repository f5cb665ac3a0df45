/** `fwsign audit checkpoint`: a fresh signed checkpoint of the transparency log. */
import { parse } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';
import { withAuditStore } from './audit-files.js';
import { STORE_FLAGS } from '../store-location.js';

export const auditCheckpoint: Command = {
  name: 'audit checkpoint',
  usage: `fwsign audit checkpoint (--data-dir DIR | --database postgres://… [--data-dir DIR])
  Opens the store (the master key as \`fwsign serve\` finds it), brings DIR/audit/entries/ up to
  date, and prints a checkpoint signed by the log's key (C2SP tlog-checkpoint: origin, tree size,
  root). It is also stored in the database and under DIR/audit/checkpoints/. With --database (or
  FWSIGN_DATABASE) the log is the PostgreSQL store's table, shared by its servers; the master key
  is FWSIGN_MASTER_KEY or DIR/master.key. Keep a copy elsewhere: \`fwsign audit verify
  --checkpoint\` then proves the log still extends it.`,
  async run(args, io) {
    const p = parse(args, STORE_FLAGS);
    await withAuditStore(io, p, async (store) => {
      io.stdout.write((await store.audit.checkpoint()).note);
    });
    return EXIT_OK;
  },
};
