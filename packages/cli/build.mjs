// Bundles the CLI into one file, dist/fwsign.mjs. Native modules stay external: their .node
// binaries cannot be bundled and are resolved from node_modules at run time.
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const outfile = fileURLToPath(new URL('./dist/fwsign.mjs', import.meta.url));
await build({
  entryPoints: [fileURLToPath(new URL('./src/main.ts', import.meta.url))],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['better-sqlite3', 'serialport', '@serialport/*', 'cbor-extract'],
  // Bundled CommonJS dependencies call require(); give the ESM output one.
  banner: { js: "import { createRequire as __fwsignCreateRequire } from 'node:module'; const require = __fwsignCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
await chmod(outfile, 0o755);
