#!/usr/bin/env node
// No static imports: `sign` loads one file of its own, every other verb the command table.

// Output piped into `head` closes early: stop quietly, as cat and grep do, rather than with an
// EPIPE stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });

const argv = process.argv.slice(2);
const { runCli } = argv[0] === 'sign' ? await import('./sign-cli.js') : await import('./run.js');
process.exitCode = await runCli(argv);
