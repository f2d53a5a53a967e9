// Two test projects (docs: TESTING.md §2):
//  node    – *.test.ts: parsers, CPU references, CLI, onnxruntime-node checks; WebGPU through
//            the `webgpu` package on SwiftShader where a test needs it.
//  browser – *.gpu.test.ts: WGSL kernels and onnxruntime-web in headless Chromium (same Dawn as the app);
//            *.browser.test.ts: other browser-only APIs (IndexedDB) in the same Chromium.
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { chromiumArgs, chromiumPath } from './e2e/chromium.ts';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['src/**/*.test.ts', 'bench/**/*.test.ts'],
          exclude: ['src/**/*.gpu.test.ts', 'src/**/*.browser.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          env: { VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' },
        },
      },
      {
        optimizeDeps: {
          include: ['onnxruntime-web', 'onnxruntime-web/webgpu', 'onnxruntime-common', '@huggingface/tokenizers', 'comlink'],
        },
        // Browser tests fetch the trained fixtures from ../shared/fixtures through /@fs/.
        server: { fs: { allow: [import.meta.dirname, resolve(import.meta.dirname, '../shared/fixtures')] } },
        test: {
          name: 'browser',
          include: ['src/**/*.gpu.test.ts', 'src/**/*.browser.test.ts'],
          // The browser cannot read process.env: pass CI so missing fixtures or adapters fail there too.
          env: { CI: process.env.CI ?? '' },
          testTimeout: 300_000,
          hookTimeout: 180_000,
          browser: {
            enabled: true,
            headless: true,
            instances: [{ browser: 'chromium' }],
            provider: playwright({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs } }),
          },
        },
      },
    ],
  },
});
