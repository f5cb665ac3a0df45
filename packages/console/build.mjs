// Bundles the console into static files: dist/index.html (never cached) and dist/assets/* named by
// content hash (cached forever). No inline script or style, so the server's CSP can forbid them.
import { build } from 'esbuild';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const outdir = here('./dist');
await rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { console: here('./src/main.tsx') },
  outdir: `${outdir}/assets`,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  sourcemap: false,
  platform: 'browser',
  target: 'es2022',
  format: 'esm',
  jsx: 'automatic',
  // The engine's pure OTA-document builder writes base64 with Buffer; the browser gets the
  // `buffer` package in its place.
  inject: [here('./src/buffer-global.ts')],
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: { '.woff': 'file', '.woff2': 'file', '.png': 'file', '.svg': 'file' },
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const js = outputs.find((f) => f.startsWith('console-') && f.endsWith('.js'));
const css = outputs.find((f) => f.startsWith('console-') && f.endsWith('.css'));
if (!js || !css) throw new Error(`console build: expected console-*.js and .css, got ${outputs}`);
await mkdir(outdir, { recursive: true });
await writeFile(
  `${outdir}/index.html`,
  `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>fwsign console</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="assets/${css}" />
    <script type="module" src="assets/${js}"></script>
  </head>
  <body>
    <div id="root"></div>
  </body>
</html>
`,
);
