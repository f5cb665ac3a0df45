// Bundles the CLI into dist/fwsign.mjs, and the store's commit worker into dist/commit-worker.mjs
// beside it (the store starts it from there). Native modules stay external: their .node binaries
// cannot be bundled and are resolved from node_modules at run time.
import { build } from 'esbuild';
import { chmod, cp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const outdir = fileURLToPath(new URL('./dist', import.meta.url));
await build({
  entryPoints: {
    fwsign: fileURLToPath(new URL('./src/main.ts', import.meta.url)),
    'commit-worker': fileURLToPath(new URL('../store/src/commit-worker.ts', import.meta.url)),
  },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['better-sqlite3', 'serialport', '@serialport/*', 'cbor-extract'],
  // Bundled CommonJS dependencies call require(); give the ESM output one.
  banner: {
    js: "import { createRequire as __fwsignCreateRequire } from 'node:module'; const require = __fwsignCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
await chmod(`${outdir}/fwsign.mjs`, 0o755);

// The web console's static files (packages/console/dist) ship beside the bundle; serve finds them there.
const consoleDist = fileURLToPath(new URL('../console/dist', import.meta.url));
await rm(`${outdir}/console`, { recursive: true, force: true });
if (existsSync(consoleDist)) await cp(consoleDist, `${outdir}/console`, { recursive: true });
