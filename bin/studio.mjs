#!/usr/bin/env node
// `npx studio …` from a checkout: bundles src/cli/main.ts with esbuild when the sources are newer
// than the last bundle (about a second), then runs it. WebGPU comes from the `webgpu` package
// (Dawn); on a machine without a Vulkan GPU driver it falls back to SwiftShader (CPU) from
// Debian's chromium package, and says so.
import { existsSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, '.cli-build', 'studio.mjs');
const worker = join(root, '.cli-build', 'cpu-worker.mjs');

function newestMtime(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function isStale() {
  if (!existsSync(out) || !existsSync(worker)) return true;
  const built = statSync(out).mtimeMs;
  const inputs = ['src', 'shaders', 'bin/bundle.mjs', 'package.json'].map((p) => join(root, p)).filter(existsSync);
  return inputs.some((p) => newestMtime(p) > built);
}

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Adds SwiftShader to the Vulkan drivers the loader finds (it does not replace them): with a
 * GPU, Dawn picks the GPU; without one, SwiftShader keeps the CLI working (on the CPU).
 */
function addFallbackVulkanDriver() {
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES || process.env.VK_ADD_DRIVER_FILES) return;
  if (existsSync(SWIFTSHADER_ICD)) process.env.VK_ADD_DRIVER_FILES = SWIFTSHADER_ICD;
}

if (isStale()) {
  const { bundle } = await import('./bundle.mjs');
  const tmp = `${out}.${process.pid}.tmp.mjs`;
  await bundle(join(root, 'src/cli/main.ts'), tmp);
  // The CPU threads' code (src/cli/cpu-pool.ts), beside the CLI so the pool finds it.
  const workerTmp = `${worker}.${process.pid}.tmp.mjs`;
  await bundle(join(root, 'src/cli/cpu-worker.ts'), workerTmp);
  renameSync(workerTmp, worker);
  renameSync(tmp, out);
}
addFallbackVulkanDriver();
await import(pathToFileURL(out).href);
