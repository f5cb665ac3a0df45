// Bundles the CLI into dist/: fwsign.mjs (the command table and dispatch only), one chunk per
// verb loaded when it runs (esbuild code splitting of the table's dynamic imports), `sign` as
// one file of its own (fwsign-sign.mjs, see src/sign-cli.ts), and the
// store's worker threads, the package's `./commit-worker` and `./pg-sync-worker` exports, as
// commit-worker.mjs and pg-sync-worker.mjs beside the chunks (the store starts them from there). Native modules stay external: their .node binaries
// cannot be bundled and are resolved from node_modules at run time.
import { build } from 'esbuild';
import { chmod, cp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('.', import.meta.url));
const outdir = fileURLToPath(new URL('./dist', import.meta.url));
// Chunk names carry content hashes: old ones would pile up across builds.
await rm(outdir, { recursive: true, force: true });
const common = {
  absWorkingDir: pkg,
  outdir,
  outExtension: { '.js': '.mjs' },
  // ESM builds first: esbuild tree-shakes them per chunk, where a CommonJS build (pkijs's `main`)
  // lands whole in every chunk that imports it.
  mainFields: ['module', 'main'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // pg-native: pg's optional libpq binding, loaded only when asked for (fwsign never does).
  external: [
    'better-sqlite3',
    'serialport',
    '@serialport/*',
    'cbor-extract',
    'pkcs11js',
    'pg-native',
  ],
  // Bundled CommonJS dependencies call require(); give the ESM output one.
  banner: {
    js: "import { createRequire as __fwsignCreateRequire } from 'node:module'; const require = __fwsignCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
  metafile: process.argv.includes('--metafile'),
};

/** main.ts's import of sign-cli.js is the separately built fwsign-sign.mjs beside it. */
const signApart = {
  name: 'sign-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/sign-cli\.js$/ }, (args) =>
      args.importer.endsWith('main.ts') ? { path: './fwsign-sign.mjs', external: true } : undefined,
    );
  },
};

const report = async (r) => {
  if (r.metafile) {
    const { analyzeMetafile } = await import('esbuild');
    console.log(await analyzeMetafile(r.metafile));
  }
};
await Promise.all([
  build({
    ...common,
    entryPoints: {
      fwsign: './src/main.ts',
      'commit-worker': '@fwsign/store/commit-worker',
      'pg-sync-worker': '@fwsign/store/pg-sync-worker',
    },
    // Chunks sit beside the entries, so a chunk's import.meta.url finds the workers' files.
    chunkNames: '[name]-[hash]',
    splitting: true,
    plugins: [signApart],
  }).then(report),
  // `fwsign sign` in one file: no chunk graph to resolve and load on each start (sign-cli.ts).
  build({ ...common, entryPoints: { 'fwsign-sign': './src/sign-cli.ts' } }).then(report),
]);
await chmod(`${outdir}/fwsign.mjs`, 0o755);

// The web console's static files (packages/console/dist) ship beside the bundle; serve finds them there.
const consoleDist = fileURLToPath(new URL('../console/dist', import.meta.url));
if (existsSync(consoleDist)) await cp(consoleDist, `${outdir}/console`, { recursive: true });
