#!/usr/bin/env node
import { processIo } from './command.js';
import { runCli } from './run.js';

// Output piped into `head` closes early: stop quietly, as cat and grep do, rather than with an
// EPIPE stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });

process.exitCode = await runCli(process.argv.slice(2), processIo());
