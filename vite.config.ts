// Vite config for the studio page. Workers are ES modules (comlink + onnxruntime-web inside).
// COOP/COEP make the page cross-origin isolated so onnxruntime-web may use wasm threads.
//
// The built page works offline and installs as an app: vite-plugin-pwa (Workbox) generates a
// service worker that precaches everything the build emits — the app, onnxruntime-web's wasm,
// the bundled evaluation texts and the sample — and the web manifest (public/icons/). The page
// registers it itself (src/offline-registration.ts) so an update waits for the person's click
// instead of reloading mid-run. The dev server has neither (no precache list to serve). The PNG
// icons are public/icons/icon.svg rendered by headless Chromium at 192 and 512 px.
//
// The built index.html carries a strict Content-Security-Policy (src/content-security-policy.ts):
// nothing beyond the page's own origin, blob: where workers and downloads need it.
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { CONTENT_SECURITY_POLICY } from './src/content-security-policy.ts';

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The CSP as a meta tag of the built page (the dev server's inline React preamble would break under it). */
const contentSecurityPolicy: Plugin = {
  name: 'content-security-policy',
  apply: 'build',
  transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }],
};

export default defineConfig({
  // The build's time stamp (src/build-info.ts): which version runs, after an update.
  define: { __STUDIO_BUILD__: JSON.stringify(new Date().toISOString()) },
  plugins: [
    react(),
    contentSecurityPolicy,
    VitePWA({
      injectRegister: false,
      registerType: 'prompt',
      manifest: {
        name: 'Compression Studio',
        short_name: 'Studio',
        description: 'Compress language models on your own GPU, in the browser. Nothing leaves the machine.',
        display: 'standalone',
        start_url: '.',
        scope: '.',
        background_color: '#ffffff',
        theme_color: '#1f3a5f',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{html,js,mjs,css,wasm,svg,png,txt,md,json,onnx,webmanifest}'],
        // onnxruntime-web's wasm (~27 MB) and the sample model (~7.5 MB) are precached whole.
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
        navigateFallback: 'index.html',
        // The settings page is a page of its own (precached above), never the app in its place.
        navigateFallbackDenylist: [/^\/docs\//],
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  worker: { format: 'es' },
  optimizeDeps: { include: ['onnxruntime-web', 'onnxruntime-web/webgpu', 'onnxruntime-common', '@huggingface/tokenizers', 'comlink'] },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
