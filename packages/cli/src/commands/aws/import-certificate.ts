/** `fwsign import-certificate`: the twin of `aws acm import-certificate`, printing the certificateArn. */
import { acmModel, callAcm } from '@fwsign/api';
import { UsageError } from '../../args.js';
import { EXIT_OK, type Command } from '../../command.js';
import { clientConfig, GLOBAL_USAGE, splitFlags } from './connection.js';
import { printResult } from './print.js';
import { memberValue } from './values.js';
import { reportError } from './verb.js';

const MEMBERS: Record<string, string> = {
  certificate: 'Certificate',
  'private-key': 'PrivateKey',
  'certificate-chain': 'CertificateChain',
  'certificate-arn': 'CertificateArn',
  // fwsign's extension: the key stays in a PKCS#11 token; the server keeps this URI instead.
  'pkcs11-uri': 'Pkcs11Uri',
};

export const importCertificate: Command = {
  name: 'import-certificate',
  aws: true,
  usage: `fwsign import-certificate --certificate fileb://cert.pem --private-key fileb://key.pem | --pkcs11-uri 'pkcs11:token=T;object=KEY' [--certificate-chain fileb://chain.pem] [--certificate-arn ARN]
  --pkcs11-uri: the key is in a PKCS#11 token the server reaches (its FWSIGN_PKCS11_MODULE and FWSIGN_PKCS11_PIN);
  the server checks the token's key is the certificate's and keeps only the URI.\n${GLOBAL_USAGE}`,
  async run(args, io) {
    const flags = splitFlags(args);
    const input: Record<string, unknown> = {};
    const shape = acmModel.shapes.ImportCertificateRequest!;
    for (const [flag, words] of flags) {
      if (['endpoint-url', 'region', 'debug', 'output', 'query'].includes(flag)) continue;
      const member = MEMBERS[flag];
      if (!member)
        throw new UsageError(
          `Unknown option '--${flag}'; import-certificate takes ${Object.keys(MEMBERS)
            .map((f) => `--${f}`)
            .join(', ')}`,
        );
      input[member] = memberValue(io, shape.members![member]!, words, flag, acmModel);
    }
    const missing = ['certificate'].filter((f) => input[MEMBERS[f]!] === undefined);
    if (input.PrivateKey === undefined && input.Pkcs11Uri === undefined)
      missing.push('private-key (or --pkcs11-uri)');
    if (missing.length)
      throw new UsageError(
        `the following arguments are required: ${missing.map((f) => `--${f}`).join(', ')}`,
      );
    if (input.PrivateKey !== undefined && input.Pkcs11Uri !== undefined)
      throw new UsageError('give --private-key or --pkcs11-uri, not both');
    const config = clientConfig(flags, io);
    try {
      const out = await callAcm(config, 'ImportCertificate', input);
      printResult(io, flags, 'ImportCertificate', out);
      return EXIT_OK;
    } catch (err) {
      return reportError(io, 'ImportCertificate', config, err);
    }
  },
};
