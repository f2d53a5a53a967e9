// onnxruntime-web adapter (DESIGN decision 7): one of the two files that import a runtime.
// The `onnxruntime-web/webgpu` import is the native WebGPU EP (MatMulNBits 2/4/8 bits); it also
// runs the wasm EP. "Auto" takes WebGPU where a real GPU adapter exists — a CPU fallback adapter
// (SwiftShader) is many times slower than wasm — else wasm, and the session says which and why.
import type { InferenceSession } from 'onnxruntime-common';
import { GpuUnavailableError, MissingFileError, UnsupportedModelError } from '../core/errors';
import { adapterName, isCpuAdapter } from '../core/gpu-adapter';
import { wrapInferenceSession, type LmSession } from './lm-session';

export type WebExecutionProvider = 'webgpu' | 'wasm';

export interface WebLmSessionOptions {
  /** 'auto' (default): WebGPU when a GPU adapter (not a CPU fallback) is available, else wasm. */
  executionProvider?: WebExecutionProvider | 'auto';
  /** When WebGPU was asked for but cannot be used, run on wasm instead of throwing (default true). */
  fallbackToWasm?: boolean;
  /** A device to share with the studio's kernels (set once, before the first WebGPU session). */
  device?: GPUDevice;
  /** Further session options, merged over the defaults. */
  sessionOptions?: InferenceSession.SessionOptions;
}

export interface WebLmSession extends LmSession {
  readonly executionProvider: WebExecutionProvider;
  /** Why WebGPU was not used (absent when it was, or when wasm was asked for). */
  readonly fallbackReason?: string;
}

type OrtWeb = typeof import('onnxruntime-web/webgpu');
let ortPromise: Promise<OrtWeb> | undefined;

/** Loads onnxruntime-web/webgpu once, on first use, so importing this module stays cheap. */
export function loadOrtWeb(): Promise<OrtWeb> {
  ortPromise ??= import('onnxruntime-web/webgpu');
  return ortPromise;
}

/** Why WebGPU should not be used; `auto` also turns down a CPU fallback adapter. */
async function webGpuUnavailableReason(device: GPUDevice | undefined, auto: boolean): Promise<string | undefined> {
  if (device) return undefined;
  if (typeof navigator === 'undefined' || !navigator.gpu) return 'this browser has no WebGPU (navigator.gpu is missing)';
  try {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return 'navigator.gpu.requestAdapter() returned no adapter';
    const { vendor, architecture, description, isFallbackAdapter } = adapter.info;
    if (auto && isCpuAdapter(isFallbackAdapter, vendor, architecture, description)) {
      return `the only WebGPU adapter (${adapterName({ vendor, architecture, description, isFallbackAdapter: true })}) emulates a GPU on the CPU, where wasm is faster`;
    }
    return undefined;
  } catch (e) {
    return `navigator.gpu.requestAdapter() failed: ${(e as Error).message}`;
  }
}

async function modelBytes(model: Uint8Array | ArrayBuffer | string): Promise<Uint8Array> {
  if (model instanceof Uint8Array) return model;
  if (model instanceof ArrayBuffer) return new Uint8Array(model);
  let response: Response;
  try {
    response = await fetch(model);
  } catch (e) {
    throw new MissingFileError(`could not fetch the model from ${model}: ${(e as Error).message}`, model);
  }
  if (!response.ok) throw new MissingFileError(`could not fetch the model from ${model}: HTTP ${response.status}`, model);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Opens an ONNX causal LM (bytes, or a URL to fetch) with onnxruntime-web. The result's
 * `executionProvider` is the EP it really runs on; `fallbackReason` says why WebGPU was not.
 */
export async function createWebLmSession(
  model: Uint8Array | ArrayBuffer | string,
  options: WebLmSessionOptions = {},
): Promise<WebLmSession> {
  const wanted = options.executionProvider ?? 'auto';
  const fallback = options.fallbackToWasm ?? true;
  const [ort, bytes] = await Promise.all([loadOrtWeb(), modelBytes(model)]);
  const name = typeof model === 'string' ? model : 'model.onnx';

  const open = async (ep: WebExecutionProvider): Promise<WebLmSession> => {
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: [ep],
      graphOptimizationLevel: 'all',
      ...options.sessionOptions,
    });
    return wrapInferenceSession(session, ep) as WebLmSession;
  };
  const openWasm = async (fallbackReason?: string): Promise<WebLmSession> => {
    try {
      const session = await open('wasm');
      return fallbackReason ? { ...session, fallbackReason } : session;
    } catch (e) {
      throw new UnsupportedModelError(`onnxruntime-web (wasm) could not load ${name}: ${(e as Error).message}`, { file: name });
    }
  };

  if (wanted === 'wasm') return openWasm();
  const unavailable = await webGpuUnavailableReason(options.device, wanted === 'auto');
  if (unavailable) {
    if (wanted === 'webgpu' && !fallback) throw new GpuUnavailableError(`WebGPU is not available: ${unavailable}`);
    return openWasm(unavailable);
  }
  if (options.device) ort.env.webgpu.device = options.device;
  try {
    return await open('webgpu');
  } catch (e) {
    const reason = `the WebGPU execution provider failed: ${(e as Error).message}`;
    if (!fallback) throw new UnsupportedModelError(`onnxruntime-web could not load ${name}: ${reason}`, { file: name });
    return openWasm(reason);
  }
}
