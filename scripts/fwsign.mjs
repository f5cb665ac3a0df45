#!/usr/bin/env node
// `pnpm fwsign …`: runs the CLI's bundle, never the TypeScript sources. Builds it first when it is
// missing or older than a source file it is made from, then runs it in this process (one Node
// start), in the folder the user typed the command in: pnpm runs scripts from the workspace root
// and passes the user's folder as INIT_CWD.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages', 'cli');
const bundle = join(cli, 'dist', 'fwsign.mjs');

/** The newest modification time under dir, skipping what is not a source (deps, outputs, tests, docs). */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name === 'test' || e.name[0] === '.')
      continue;
    if (e.name.endsWith('.md')) continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

let built = 0;
try {
  built = statSync(bundle).mtimeMs;
} catch {
  // not built yet
}
if (built === 0 || newest(join(root, 'packages')) > built) {
  process.stderr.write('fwsign: building the bundle (packages/cli/dist) …\n');
  const r = spawnSync(process.execPath, [join(cli, 'build.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
await import(pathToFileURL(bundle).href);
