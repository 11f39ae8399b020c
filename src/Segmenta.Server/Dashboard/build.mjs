// Bundles the dashboard into one script and one stylesheet (node build.mjs OUT_DIR). The host embeds
// both in its assembly (Segmenta.Server.csproj runs this at build time), serves them, and inlines them
// into `segmenta report`; nothing is fetched from a CDN at run time.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

const out = resolve(process.argv[2] ?? 'dist');
mkdirSync(out, { recursive: true });
const common = { bundle: true, minify: true, legalComments: 'none', logLevel: 'warning', charset: 'utf8' };
await build({ ...common, entryPoints: ['src/main.js'], outfile: resolve(out, 'app.js'), format: 'iife', target: ['es2020'] });
await build({ ...common, entryPoints: ['src/style.css'], outfile: resolve(out, 'app.css') });
