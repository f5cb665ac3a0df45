/** `fwsign audit public-key`: the transparency log's verifier key. */
import { openStore } from '@fwsign/store';
import { parse, pathOf, requireString } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';

export const auditPublicKey: Command = {
  name: 'audit public-key',
  usage: `fwsign audit public-key --data-dir DIR
  Prints the log's Ed25519 verifier key in the signed-note form <name>+<key id>+<base64 key>
  (made on first use, sealed under the master key). \`audit verify\` and \`audit check-proof\`
  need nothing else; publish it where your release pipeline can pin it.`,
  async run(args, io) {
    const p = parse(args, { 'data-dir': { type: 'string' } });
    const store = openStore({ dataDir: pathOf(io, requireString(p, 'data-dir')) });
    try {
      io.stdout.write(`${await store.audit.publicKey()}\n`);
    } finally {
      await store.close();
    }
    return EXIT_OK;
  },
};
