// Holds the layout to STYLE.md's one-way dependency rule ("What we take"): each folder of src/
// may import (at run time) only the folders listed here. Type-only imports are exempt (they
// vanish from the build); tests and test helpers (testing/) are exempt too. Contract modules —
// plain data shared by every layer that import nothing but core/ — count as core.
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
  // The pipeline orchestrates: quantize, measure, and (sweeps) evaluate.
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

/** Plain-data contracts every layer may use (they themselves import only core/). */
const CONTRACTS = new Set(['model/model-index.ts']);

const topFolder = (path: string) => relative(SRC, path).split(sep)[0];
const contractOf = (path: string) => [...CONTRACTS].find((c) => path.endsWith(c.replace('/', sep)) || path.endsWith(c.replace('/', sep).replace(/\.ts$/, '')));

it('imports between src/ folders point one way (STYLE.md)', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = topFolder(file);
    if (!(from in ALLOWED)) continue; // entry files at src/ root (main.tsx)
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^import\s+(?!type\b)[^'"]*?from\s+'(\.[^']+)'/gm)) {
      const target = resolve(dirname(file), m[1]);
      const to = contractOf(target) ? 'core' : topFolder(target);
      if (to !== from && to in ALLOWED && !ALLOWED[from].includes(to)) {
        violations.push(`${relative(SRC, file)} → ${m[1]}`);
      }
    }
  }
  expect(violations).toEqual([]);
});

it('contract modules import nothing but core/', () => {
  for (const c of CONTRACTS) {
    const text = readFileSync(join(SRC, c), 'utf8');
    for (const m of text.matchAll(/^import\s+[^'"]*?from\s+'(\.[^']+)'/gm)) {
      expect(topFolder(resolve(dirname(join(SRC, c)), m[1])), `${c} → ${m[1]}`).toBe('core');
    }
  }
});
