/** `fwsign audit checkpoint`: a fresh signed checkpoint of the data dir's transparency log. */
import { openStore } from '@fwsign/store';
import { parse, pathOf, requireString } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';

export const auditCheckpoint: Command = {
  name: 'audit checkpoint',
  usage: `fwsign audit checkpoint --data-dir DIR
  Opens the data dir (the master key as \`fwsign serve\` finds it), brings audit/entries/ up to date,
  and prints a checkpoint signed by the log's key (C2SP tlog-checkpoint: origin, tree size, root).
  It is also stored under DIR/audit/checkpoints/. Keep a copy elsewhere: \`fwsign audit verify
  --checkpoint\` then proves the log still extends it.`,
  async run(args, io) {
    const p = parse(args, { 'data-dir': { type: 'string' } });
    const store = openStore({ dataDir: pathOf(io, requireString(p, 'data-dir')) });
    try {
      io.stdout.write((await store.audit.checkpoint()).note);
    } finally {
      await store.close();
    }
    return EXIT_OK;
  },
};
