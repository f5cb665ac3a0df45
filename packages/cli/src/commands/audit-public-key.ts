/** `fwsign audit public-key`: the transparency log's verifier key. */
import { parse } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';
import { withAuditStore } from './audit-files.js';
import { STORE_FLAGS } from '../store-location.js';

export const auditPublicKey: Command = {
  name: 'audit public-key',
  usage: `fwsign audit public-key (--data-dir DIR | --database postgres://… [--data-dir DIR])
  Prints the log's Ed25519 verifier key in the signed-note form <name>+<key id>+<base64 key>
  (made on first use, sealed under the master key; one per PostgreSQL database, shared by its
  servers). \`audit verify\` and \`audit check-proof\` need nothing else; publish it where your
  release pipeline can pin it.`,
  async run(args, io) {
    const p = parse(args, STORE_FLAGS);
    await withAuditStore(io, p, async (store) => {
      io.stdout.write(`${await store.audit.publicKey()}\n`);
    });
    return EXIT_OK;
  },
};
