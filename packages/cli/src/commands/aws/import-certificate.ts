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
};

export const importCertificate: Command = {
  name: 'import-certificate',
  aws: true,
  usage: `fwsign import-certificate --certificate fileb://cert.pem --private-key fileb://key.pem [--certificate-chain fileb://chain.pem] [--certificate-arn ARN]\n${GLOBAL_USAGE}`,
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
    const missing = ['certificate', 'private-key'].filter((f) => input[MEMBERS[f]!] === undefined);
    if (missing.length)
      throw new UsageError(
        `the following arguments are required: ${missing.map((f) => `--${f}`).join(', ')}`,
      );
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
