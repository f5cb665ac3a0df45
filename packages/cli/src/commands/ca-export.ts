/** `fwsign ca export`: the account's fwsign root CA certificate, which verifiers of Lambda and Notation signatures trust. */
import { writeFile } from 'node:fs/promises';
import { pem } from '@fwsign/signing-engine';
import { openStore } from '@fwsign/store';
import { optionalString, parse, pathOf, requireString, UsageError } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';

const ACCOUNT = /^[0-9]{12}$/;

export const caExport: Command = {
  name: 'ca export',
  usage: `fwsign ca export --data-dir DIR [--account 000000000000] [--region us-east-1] [--out root.pem]
  Opens the server's data directory (the master key as \`fwsign serve\` finds it) and writes the root
  that issues every Lambda and Notation profile certificate of that account and region, creating it
  on first use. Without --out the PEM goes to stdout.`,
  async run(args, io) {
    const p = parse(args, {
      'data-dir': { type: 'string' },
      account: { type: 'string' },
      region: { type: 'string' },
      out: { type: 'string' },
    });
    const account = optionalString(p, 'account') ?? '000000000000';
    if (!ACCOUNT.test(account))
      throw new UsageError(`--account expected 12 digits, got ${JSON.stringify(account)}`);
    const store = openStore({
      dataDir: pathOf(io, requireString(p, 'data-dir')),
      region: optionalString(p, 'region') ?? 'us-east-1',
    });
    let der: Uint8Array;
    try {
      der = await store.rootCertificate({
        accountId: account,
        principalArn: `arn:aws:iam::${account}:root`,
      });
    } finally {
      await store.close();
    }
    const text = pem('CERTIFICATE', der);
    const out = optionalString(p, 'out');
    if (out === undefined) io.stdout.write(text);
    else await writeFile(pathOf(io, out), text, { mode: 0o644 });
    return EXIT_OK;
  },
};
