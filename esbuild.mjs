// Bundles the extension (client), the language server, the CLI and workers into dist/.
// `--watch` rebuilds on change, `--production` minifies (used by `npm run package`).
import * as esbuild from 'esbuild';
import { copyFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/**
 * The parser's fingerprint (parse/disk-cache.ts computeParserFingerprint), fixed at build time so
 * the server and the CLI of one build share the on-disk parse cache. A watch build leaves it out:
 * its bundles compute it from the sources at start, so an edited parser never reads stale parses.
 */
function parserFingerprint() {
  const built = esbuild.buildSync({
    entryPoints: ['server/src/engine/parse/disk-cache.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
  });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', built.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
  return module.exports.computeParserFingerprint('server/src/engine', '.');
}

/**
 * upgrades-core requires ethereumjs-util for hashing and addresses, which requires secp256k1 for
 * signatures Patchline never makes: loading it builds elliptic's precomputed tables (about 20 ms
 * of a warm `check`). Its importers get a stand-in that requires it on the first property read.
 */
const lazySecp256k1 = {
  name: 'lazy-secp256k1',
  setup(build) {
    build.onResolve({ filter: /^ethereum-cryptography\/secp256k1$/ }, (args) => {
      if (args.pluginData?.lazy) return undefined; // the stand-in's own require: the real module
      return { path: args.path, namespace: 'lazy-secp256k1', pluginData: { resolveDir: args.resolveDir } };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-secp256k1' }, (args) => ({
      contents:
        "let real;\nconst load = () => (real ??= require('ethereum-cryptography/secp256k1'));\n" +
        'module.exports = new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });\n',
      resolveDir: args.pluginData.resolveDir,
      pluginData: { lazy: true },
      loader: 'js',
    }));
  },
};

/** @type {import('esbuild').BuildOptions} */
const common = {
  plugins: [lazySecp256k1],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  keepNames: true,
  define: { PATCHLINE_VERSION: JSON.stringify(version), ...(watch ? {} : { PATCHLINE_PARSER_FINGERPRINT: JSON.stringify(parserFingerprint()) }) },
  // antlr4's ESM build needs import.meta; its CJS build is the right one inside a CJS bundle.
  alias: { antlr4: './node_modules/antlr4/dist/antlr4.node.cjs' },
};

// upgrades-core reaches @nomicfoundation/slang (top-level await, not bundleable as CJS) only from
// trySanitizeNatSpec, which Patchline never calls.
const neverLoaded = ['@nomicfoundation/slang', '@nomicfoundation/slang/*'];

const builds = [
  {
    ...common,
    entryPoints: { extension: 'client/src/extension.ts' },
    outdir: 'dist',
    external: ['vscode'], // provided by the editor
  },
  {
    ...common,
    entryPoints: { server: 'server/src/lsp/server.ts' },
    outdir: 'dist',
    external: neverLoaded,
  },
  {
    // The solc-js worker: solc's wrapper is bundled; its 9 MB compiler (soljson.js, WebAssembly inside) is
    // loaded from node_modules/solc at run time and shipped as is in the .vsix.
    ...common,
    entryPoints: { 'compile-worker': 'server/src/engine/compile/worker.ts' },
    outdir: 'dist',
    external: ['solc/soljson', ...neverLoaded],
  },
  {
    // The parse worker: large or deeply nested declarations are parsed here, off the main thread.
    ...common,
    entryPoints: { 'parse-worker': 'server/src/engine/parse/worker.ts' },
    outdir: 'dist',
  },
  {
    ...common,
    entryPoints: { 'cli-main': 'server/src/cli/main.ts' },
    outdir: 'dist',
    external: neverLoaded,
  },
  {
    // The `patchline` command: enables Node's compile cache, then loads cli-main.js.
    ...common,
    entryPoints: { cli: 'server/src/cli/entry.ts' },
    outdir: 'dist',
    external: ['./cli-main.js'],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // The Patch view's front end runs in the webview (a browser), not in Node.
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: { panel: 'media/panel/main.ts', layout: 'media/layout/main.ts' },
    // CSS goes through esbuild too, so the webview loads one file from dist/media.
    loader: { '.css': 'css' },
    outdir: 'dist/media',
  },
];

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[esbuild] watching…');
} else {
  const started = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  // The .vsix has no node_modules: the compile worker then loads solc-js's compiler from dist/.
  if (production) copyFileSync('node_modules/solc/soljson.js', 'dist/soljson.js');
  console.log(`[esbuild] built dist/ in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
