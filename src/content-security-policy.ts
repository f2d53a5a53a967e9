// The studio page's Content-Security-Policy (vite.config.ts puts it in the built index.html):
// everything from the page's own origin and nothing else — no CDN, no model hub, no telemetry.
// 'wasm-unsafe-eval' lets onnxruntime-web compile its wasm; blob: is for the object URLs of
// downloads, chart images and the files a person drops; data: for images the charts draw.
// Styles allow inline style attributes: React and recharts set them on elements.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self' blob: data:",
  "img-src 'self' blob: data:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');
