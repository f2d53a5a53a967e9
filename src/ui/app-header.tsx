// The top bar: name, one line of what this is, and whether the browser has WebGPU.
import { hasWebGpuApi } from '../store/environment';

export function AppHeader() {
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">◆</span>
        <h1>Compression Studio</h1>
      </div>
      <p className="tagline">Compress language models on your own GPU, by recipes you can read. Nothing leaves this machine.</p>
      <span className={`pill ${hasWebGpuApi ? 'pill-ok' : 'pill-warn'}`} data-testid="webgpu-status">
        {hasWebGpuApi ? 'WebGPU' : 'No WebGPU'}
      </span>
    </header>
  );
}
