// "Export as": the open model converted to GGUF (a llama-quantize preset or one pure type) or to
// one safetensors file, with its progress. ONNX MatMulNBits export stays the quantize result's
// download (export-slice.ts). The save picker streams from the worker; otherwise a Blob download.
import type { StateCreator } from 'zustand';
import type { ConvertProgress, ConvertRequest } from '../workers/studio-api';
import { progressCallback } from '../workers/studio-client';
import { downloadBlob, savePicker } from './save-file';
import { studioClient } from './studio-client';
import type { SavedFile } from './export-slice';
import type { StudioState } from './studio-state';

export type ConvertFormat = 'onnx' | 'gguf' | 'safetensors';
export type SafetensorsDtype = Extract<ConvertRequest, { format: 'safetensors' }>['dtype'];

/** GGUF --type choices (src/pipeline/convert/gguf-target.ts): float files, preset mixes, pure-only types. */
export const GGUF_FLOAT_TYPES: readonly string[] = ['F16', 'BF16', 'F32'];
export const GGUF_PRESET_TYPES: readonly string[] = ['Q8_0', 'Q6_K', 'Q5_K_M', 'Q4_K_M', 'Q4_0', 'Q3_K_M', 'Q2_K'];
export const GGUF_PURE_ONLY_TYPES: readonly string[] = ['Q5_0', 'Q5_1', 'Q4_1', 'Q5_K_S', 'Q4_K_S', 'Q3_K_S'];
export const SAFETENSORS_DTYPES: readonly SafetensorsDtype[] = ['f16', 'bf16', 'f32'];

export interface ConvertSlice {
  convertFormat: ConvertFormat;
  convertGgufType: string;
  convertPure: boolean;
  convertDtype: SafetensorsDtype;
  convertStatus: 'idle' | 'running' | 'cancelling';
  convertProgress: ConvertProgress | null;
  convertSaved: SavedFile | null;
  setConvertFormat(format: ConvertFormat): void;
  setConvertGgufType(type: string): void;
  setConvertPure(pure: boolean): void;
  setConvertDtype(dtype: SafetensorsDtype): void;
  /** Call straight from a click: the save picker needs the user's gesture. */
  exportConverted(): Promise<void>;
  cancelConvert(): void;
}

/** Pure-only types have no preset mix: they always convert with pure on. */
export const pureForced = (type: string) => GGUF_PURE_ONLY_TYPES.includes(type);

export function convertRequestOf(s: Pick<ConvertSlice, 'convertFormat' | 'convertGgufType' | 'convertPure' | 'convertDtype'>): ConvertRequest | null {
  if (s.convertFormat === 'gguf') return { format: 'gguf', type: s.convertGgufType, pure: s.convertPure || pureForced(s.convertGgufType) };
  if (s.convertFormat === 'safetensors') return { format: 'safetensors', dtype: s.convertDtype };
  return null;
}

/** The name the save picker suggests (the worker names a download the same way). */
export function convertFileName(sourceName: string, request: ConvertRequest): string {
  const base = sourceName.split(/[\\/]/).pop() ?? '';
  const stem = base.replace(/\.(onnx|gguf|safetensors\.index\.json|safetensors)$/i, '').replace(/[^\w.-]+/g, '_') || 'model';
  if (request.format === 'gguf') return `${stem}-${request.type.toUpperCase()}${request.pure ? '-pure' : ''}.gguf`;
  return `${stem}-${request.dtype}.safetensors`;
}

async function pickTarget(fileName: string, request: ConvertRequest): Promise<FileSystemFileHandle | null | undefined> {
  const picker = savePicker();
  if (!picker) return undefined;
  const ext = request.format === 'gguf' ? '.gguf' : '.safetensors';
  try {
    return await picker({ suggestedName: fileName, types: [{ description: `${request.format === 'gguf' ? 'GGUF' : 'safetensors'} model`, accept: { 'application/octet-stream': [ext] } }] });
  } catch (e) {
    if ((e as { name?: string }).name === 'AbortError') return null;
    throw e;
  }
}

export const createConvertSlice: StateCreator<StudioState, [], [], ConvertSlice> = (set, get, api) => {
  api.subscribe((s, prev) => {
    if (s.modelSerial !== prev.modelSerial) set({ convertSaved: null, convertProgress: null, convertFormat: s.model?.index.format === 'onnx' ? 'onnx' : 'gguf' });
  });

  return {
    convertFormat: 'onnx',
    convertGgufType: 'Q8_0',
    convertPure: false,
    convertDtype: 'f16',
    convertStatus: 'idle',
    convertProgress: null,
    convertSaved: null,
    setConvertFormat: (convertFormat) => set({ convertFormat, convertSaved: null }),
    setConvertGgufType: (convertGgufType) => set({ convertGgufType, convertSaved: null }),
    setConvertPure: (convertPure) => set({ convertPure, convertSaved: null }),
    setConvertDtype: (convertDtype) => set({ convertDtype, convertSaved: null }),

    async exportConverted() {
      const s = get();
      const request = convertRequestOf(s);
      if (!s.model || !request || s.convertStatus !== 'idle' || s.jobStatus !== 'idle' || s.exportStatus !== 'idle') return;
      const fileName = convertFileName(s.model.index.fileName, request);
      set({ convertStatus: 'running', convertProgress: null, convertSaved: null, notice: null });
      try {
        const handle = await pickTarget(fileName, request);
        if (handle === null) return;
        const onProgress = progressCallback((p: ConvertProgress) => set({ convertProgress: p }));
        const result = await studioClient().convertModel(request, handle, onProgress);
        if (handle) {
          set({ convertSaved: { fileName: handle.name, bytesWritten: result.bytesWritten, via: 'save-picker' } });
        } else {
          if (!result.blob) throw new Error('The worker returned no file to download.');
          downloadBlob(result.blob, result.fileName);
          set({ convertSaved: { fileName: result.fileName, bytesWritten: result.bytesWritten, via: 'download' } });
        }
      } catch (error) {
        get().showError('export', error);
      } finally {
        set({ convertStatus: 'idle', convertProgress: null });
      }
    },

    cancelConvert() {
      if (get().convertStatus !== 'running') return;
      set({ convertStatus: 'cancelling' });
      void studioClient().cancel();
    },
  };
};
