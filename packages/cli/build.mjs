// Bundles the CLI into dist/: fwsign.mjs (the command table and dispatch only), one chunk per
// verb loaded when it runs (esbuild code splitting of the table's dynamic imports), and the
// store's commit worker, the package's `./commit-worker` export, as commit-worker.mjs beside the
// chunks (the store starts it from there). Native modules stay external: their .node binaries
// cannot be bundled and are resolved from node_modules at run time.
import { build } from 'esbuild';
import { chmod, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('.', import.meta.url));
const outdir = fileURLToPath(new URL('./dist', import.meta.url));
// Chunk names carry content hashes: old ones would pile up across builds.
await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: pkg,
  entryPoints: {
    fwsign: './src/main.ts',
    'commit-worker': '@fwsign/store/commit-worker',
  },
  outdir,
  outExtension: { '.js': '.mjs' },
  // Chunks sit beside the entries, so a chunk's import.meta.url finds commit-worker.mjs.
  chunkNames: '[name]-[hash]',
  splitting: true,
  // ESM builds first: esbuild tree-shakes them per chunk, where a CommonJS build (pkijs's `main`)
  // lands whole in every chunk that imports it.
  mainFields: ['module', 'main'],
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
  metafile: process.argv.includes('--metafile'),
}).then(async (r) => {
  if (r.metafile) {
    const { analyzeMetafile } = await import('esbuild');
    console.log(await analyzeMetafile(r.metafile));
  }
});
await chmod(`${outdir}/fwsign.mjs`, 0o755);
