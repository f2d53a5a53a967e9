// Holds the layout to STYLE.md's one-way dependency rule ("What we take"): each folder of src/
// may import only the folders listed here — type-only imports included, since a type is a
// dependency too. Contracts every layer shares (the model index, recipes, plans, reports) live in
// core/. Tests and test helpers (testing/) are exempt: they are the harness, not the product.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const ALLOWED: Record<string, string[]> = {
  core: [],
  formats: ['core'],
  quant: ['core'],
  gpu: ['core'],
  kernels: ['core', 'gpu', 'quant'],
  model: ['core', 'formats'],
  eval: ['core', 'formats', 'model', 'gpu'],
  // The pipeline orchestrates: plan, compress, measure, export, and (sweeps) evaluate.
  pipeline: ['core', 'formats', 'quant', 'gpu', 'kernels', 'model', 'eval'],
  workers: ['core', 'pipeline', 'eval', 'gpu', 'kernels', 'model', 'quant', 'formats'],
  store: ['core', 'workers'],
  ui: ['core', 'store'],
  cli: ['core', 'formats', 'quant', 'gpu', 'kernels', 'model', 'eval', 'pipeline'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'testing' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Every module a file names: static imports (type-only too), re-exports and dynamic imports. */
export function importedPaths(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gm)) out.push(m[1]);
  for (const m of text.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g)) out.push(m[1]);
  return out;
}

const topFolder = (path: string) => relative(SRC, path).split(sep)[0];

it('imports between src/ folders point one way (STYLE.md), types included', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = topFolder(file);
    if (!(from in ALLOWED)) continue; // entry files at src/ root (main.tsx)
    for (const path of importedPaths(readFileSync(file, 'utf8'))) {
      const to = topFolder(resolve(dirname(file), path));
      if (to !== from && to in ALLOWED && !ALLOWED[from].includes(to)) violations.push(`${relative(SRC, file)} → ${path}`);
    }
  }
  expect(violations).toEqual([]);
});

it('sees type-only imports, re-exports and dynamic imports', () => {
  const text = "import type { A } from '../x/a';\nexport { B } from './b';\nconst c = await import('../y/c');\nimport d from 'react';";
  expect(importedPaths(text)).toEqual(['../x/a', './b', '../y/c']);
});
