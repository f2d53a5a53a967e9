// What the browser offers, detected once (no WebGPU calls here: the worker owns the GPU).

/** The WebGPU API exists in this browser (an adapter may still be refused; the worker reports that). */
export const hasWebGpuApi: boolean = typeof navigator !== 'undefined' && 'gpu' in navigator;
