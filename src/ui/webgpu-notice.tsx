// Shown up front when the browser has no WebGPU at all: quantizing needs it.
import { hasWebGpuApi } from '../store/environment';
import { WEBGPU_HELP } from './error-text';

export function WebGpuNotice() {
  if (hasWebGpuApi) return null;
  return (
    <div className="banner banner-warn" role="status" data-testid="webgpu-notice">
      <div className="banner-body">
        <strong className="banner-title">This browser has no WebGPU</strong>
        <p className="banner-hint">You can open and inspect models, but quantizing runs on the GPU. {WEBGPU_HELP}</p>
      </div>
    </div>
  );
}
