// Vite config for the studio page. Workers are ES modules (comlink + onnxruntime-web inside).
// COOP/COEP make the page cross-origin isolated so onnxruntime-web may use wasm threads.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  optimizeDeps: { include: ['onnxruntime-web', 'onnxruntime-web/webgpu', 'onnxruntime-common', '@huggingface/tokenizers', 'comlink'] },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
