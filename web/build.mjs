// Builds the console into dist/: one ES module bundle per entry with hashed
// names (split so that a page's heavy dependency, uPlot for the charts,
// loads only with that page), the stylesheet, a gzip copy of each asset and
// index.html naming them. merchantd serves dist/ at /app (MERCHANTD_WEB_DIR):
// hashed names may be cached for a year, index.html is revalidated.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync, constants } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const out = join(root, 'dist');
const assets = join(out, 'assets');
rmSync(out, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const result = await build({
  entryPoints: { app: join(root, 'src/main.js'), style: join(root, 'src/app.css') },
  bundle: true,
  splitting: true,
  format: 'esm',
  target: 'es2020',
  minify: true,
  sourcemap: false,
  outdir: assets,
  entryNames: '[name]-[hash]',
  chunkNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => p.split('/').pop());
const js = outputs.find((n) => /^app-[A-Z0-9]+\.js$/.test(n));
const css = outputs.find((n) => /^style-[A-Z0-9]+\.css$/.test(n));
if (!js || !css) throw new Error(`entry outputs not found in ${outputs.join(', ')}`);
// The style entry also yields an empty script: nothing loads it.
for (const n of outputs) if (/^style-[A-Z0-9]+\.js$/.test(n)) rmSync(join(assets, n));

const html = readFileSync(join(root, 'src/index.html'), 'utf8')
  .replace('%APP_JS%', `/app/assets/${js}`)
  .replace('%APP_CSS%', `/app/assets/${css}`);
writeFileSync(join(out, 'index.html'), html);

let total = 0;
for (const n of readdirSync(assets)) {
  const bytes = readFileSync(join(assets, n));
  const gz = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(join(assets, `${n}.gz`), gz);
  if (n.endsWith('.js')) total += gz.length;
}
console.log(`console built in ${out}: ${js}, ${css}; all JavaScript ${(total / 1024).toFixed(1)} KB gzip`);
