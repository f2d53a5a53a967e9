// The top bar: name, one line of what this is, and which GPU the kernels run on — a real GPU,
// a CPU fallback (SwiftShader and the like: correct but slow), or none — with the details in a
// tooltip; whether the page works offline; and, when a newer version is cached, a button to load it.
import { useEffect } from 'react';
import { adapterName, type GpuStatus } from '../core/gpu-adapter';
import { hasWebGpuApi } from '../store/environment';
import type { OfflineState } from '../store/offline-slice';
import { STUDIO_BUILD } from '../core/build-info';
import { useStudioStore } from '../store/studio-store';

interface Badge {
  text: string;
  tone: 'ok' | 'warn';
  title: string;
}

function gpuBadge(status: GpuStatus | null): Badge {
  if (!status) {
    return hasWebGpuApi
      ? { text: 'WebGPU…', tone: 'ok', title: 'Asking the browser for a WebGPU adapter' }
      : { text: 'No WebGPU', tone: 'warn', title: 'This browser has no WebGPU: compression runs on the CPU references, evaluation on wasm' };
  }
  if (!status.available) {
    return { text: 'No WebGPU', tone: 'warn', title: `${status.reason}\nCompression runs on the CPU references; evaluation on wasm.` };
  }
  const name = adapterName(status.adapter);
  const again = status.reacquiredAfter ? `\nThe previous device was lost (${status.reacquiredAfter}); this one replaced it.` : '';
  if (status.adapter.isFallbackAdapter) {
    return {
      text: 'WebGPU: CPU fallback',
      tone: 'warn',
      title: `The only WebGPU adapter is ${name}, which emulates a GPU on the CPU: results are right but slow. Evaluation on "Auto" uses wasm, which is faster here.${again}`,
    };
  }
  return { text: `WebGPU: ${name}`, tone: 'ok', title: `Kernels and evaluation on "Auto" run on ${name} (${status.adapter.vendor} ${status.adapter.architecture}).${again}` };
}

function offlineBadge(offline: OfflineState): Badge | undefined {
  switch (offline.state) {
    case 'ready':
      return { text: 'Works offline', tone: 'ok', title: 'The studio, onnxruntime-web, the evaluation texts and the sample are cached: it works without a network, and can be installed as an app.' };
    case 'caching':
      return { text: 'Caching for offline…', tone: 'ok', title: 'Saving the studio in this browser so it works without a network' };
    case 'failed':
      return { text: 'Not offline', tone: 'warn', title: `The studio could not be cached for offline use: ${offline.reason}` };
    case 'unavailable':
      return undefined;
  }
}

export function AppHeader() {
  const status = useStudioStore((s) => s.gpuStatus);
  const refresh = useStudioStore((s) => s.refreshGpuStatus);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  const badge = gpuBadge(status);
  const offline = offlineBadge(useStudioStore((s) => s.offline));
  const updateReady = useStudioStore((s) => s.updateReady);
  const applyUpdate = useStudioStore((s) => s.applyUpdate);
  return (
    <header className="app-header" data-build={STUDIO_BUILD}>
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">◆</span>
        <h1>Compression Studio</h1>
      </div>
      <p className="tagline">Compress language models on your own GPU, by recipes you can read. Nothing leaves this machine.</p>
      <span className={`pill pill-${badge.tone}`} data-testid="webgpu-status" title={badge.title}>
        {badge.text}
      </span>
      {offline && (
        <span className={`pill pill-${offline.tone}`} data-testid="offline-status" title={`${offline.title}\nBuild ${STUDIO_BUILD}.`}>
          {offline.text}
        </span>
      )}
      {updateReady && (
        <button type="button" className="pill pill-action" data-testid="apply-update" onClick={() => void applyUpdate()} title="A newer version of the studio is cached. Reloading loses nothing saved, but stops a run in progress.">
          New version: reload
        </button>
      )}
    </header>
  );
}
