#!/usr/bin/env node
// Bundles a TypeScript entry (the CLI, a benchmark) into one Node ESM file with esbuild.
// WGSL imported with `?raw` becomes a string, as under Vite; `webgpu` and `onnxruntime-node`
// stay external (native addons). Usage: node bin/bundle.mjs ENTRY.ts OUT.mjs
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';

export async function bundle(entry, outfile, { external = [] } = {}) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
    external: ['webgpu', 'onnxruntime-node', ...external],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    plugins: [
      {
        name: 'raw',
        setup(b) {
          b.onResolve({ filter: /\?raw$/ }, (args) => ({
            path: new URL(args.path.replace(/\?raw$/, ''), `file://${args.resolveDir}/`).pathname,
            namespace: 'raw',
          }));
          b.onLoad({ filter: /.*/, namespace: 'raw' }, async (args) => ({
            contents: await readFile(args.path, 'utf8'),
            loader: 'text',
          }));
        },
      },
    ],
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [entry, outfile] = process.argv.slice(2);
  if (!entry || !outfile) {
    console.error('usage: node bin/bundle.mjs ENTRY.ts OUT.mjs');
    process.exit(2);
  }
  await bundle(entry, outfile);
}
