#!/usr/bin/env node
// `npm run build:server`: bundles the server and the recorder (TypeScript, with the workspace packages
// @nomades/*) into plain JavaScript under dist/, so production starts them with `node` alone, without a
// TypeScript loader (`npm start` runs dist/ when it is there: scripts/start.sh). Third-party packages
// stay imports of node_modules (they are installed with `npm ci --omit=dev`).
//   dist/server/src/main.js     the product (npm start)
//   dist/recorder/src/main.js   the recording worker the server runs (RecorderProcess)
// Both keep the depth of their sources (three folders below the repository), so the paths they compute
// from import.meta.dirname (client/dist, the recorder) are the same from dist/ as from the sources.
// Takes about a second (esbuild, installed as tsx's dependency).
//   --if-stale   builds only when a source (shared, sfu, server, recorder) or package-lock.json is newer
//                than the build, or the build is missing (npm start)
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const outdir = path.join(root, 'dist');

/** Bare imports of packages other than the workspace's stay imports (node_modules at run time). */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@nomades/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

const SOURCES = ['shared/src', 'sfu/src', 'server/src', 'recorder/src', 'package-lock.json'];
const OUTPUTS = ['dist/server/src/main.js', 'dist/recorder/src/main.js'];

/** The newest modification time under `p` (a file or a folder), in ms. */
function newest(p) {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((m, name) => Math.max(m, newest(path.join(p, name))), st.mtimeMs);
}

function stale() {
  const built = OUTPUTS.map((f) => path.join(root, f));
  if (!built.every((f) => fs.existsSync(f))) return true;
  const oldest = Math.min(...built.map((f) => fs.statSync(f).mtimeMs));
  return SOURCES.some((s) => fs.existsSync(path.join(root, s)) && newest(path.join(root, s)) > oldest);
}

if (process.argv.includes('--if-stale') && !stale()) process.exit(0);

const t0 = Date.now();
fs.rmSync(path.join(outdir, 'server'), { recursive: true, force: true });
fs.rmSync(path.join(outdir, 'recorder'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { 'server/src/main': 'server/src/main.ts', 'recorder/src/main': 'recorder/src/main.ts' },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [externalPackages],
});
console.log(`built dist/server/src/main.js and dist/recorder/src/main.js in ${Date.now() - t0} ms`);
