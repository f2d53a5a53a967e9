// Download of the last compressed result: the save picker streams it to disk from the worker;
// otherwise the worker returns a Blob and the page downloads it. The file is named after the
// recipe (core/output-names.ts), as the worker names it. And the small files that go with a
// result: the importance matrix a calibrated run measured, config.json for a safetensors checkpoint.
import type { StateCreator } from 'zustand';
import { outputFileName } from '../core/output-names';
import { progressCallback } from '../workers/studio-client';
import { setProgress } from './progress-store';
import { downloadBlob, pickSaveTarget, savePicker } from './save-file';
import type { ExportResult } from '../workers/studio-api';
import { studioClient } from './studio-client';
import type { StudioState } from './studio-state';

export interface SavedFile {
  fileName: string;
  bytesWritten: number;
  via: 'save-picker' | 'download';
}

export interface ExportSlice {
  exportStatus: 'idle' | 'saving';
  lastSaved: SavedFile | null;
  /** Call straight from a click: the save picker needs the user's gesture. */
  downloadResult(): Promise<void>;
  /** The importance matrix the last run measured, in llama.cpp's format (a small file: always a download). */
  downloadImatrix(): Promise<void>;
  /** config.json for a safetensors result (with GPTQ's quantization_config): loaders need it beside the weights. */
  downloadCheckpointConfig(): Promise<void>;
  /** The ONNX result as a transformers.js folder (zip), its card with the result's perplexity when evaluated. */
  downloadTransformersJs(): Promise<void>;
}

export const createExportSlice: StateCreator<StudioState, [], [], ExportSlice> = (set, get) => {
  /** A small file the worker makes whole (always a plain download). */
  async function downloadSmallFile(make: () => Promise<ExportResult>): Promise<void> {
    if (get().exportStatus !== 'idle' || get().jobStatus !== 'idle') return;
    set({ exportStatus: 'saving', notice: null });
    try {
      const result = await make();
      downloadBlob(result.blob!, result.fileName);
      set({ lastSaved: { fileName: result.fileName, bytesWritten: result.bytesWritten, via: 'download' } });
    } catch (error) {
      get().showError('export', error);
    } finally {
      set({ exportStatus: 'idle' });
    }
  }

  return {
    exportStatus: 'idle',
    lastSaved: null,

    async downloadResult() {
      const { model, report, exportStatus, jobStatus } = get();
      if (!model || !report || exportStatus !== 'idle' || jobStatus !== 'idle') return;
      const fileName = outputFileName(model.index.fileName, report.format, report.recipe);
      set({ exportStatus: 'saving', notice: null });
      try {
        const picker = savePicker();
        if (picker) {
          const handle = await pickSaveTarget(picker, fileName, report.format);
          if (!handle) return;
          const result = await studioClient().exportFile({ source: 'result' }, handle, progressCallback(setProgress));
          set({ lastSaved: { fileName: handle.name, bytesWritten: result.bytesWritten, via: 'save-picker' } });
        } else {
          const result = await studioClient().exportFile({ source: 'result' });
          if (!result.blob) throw new Error('The worker returned no file to download.');
          downloadBlob(result.blob, fileName);
          set({ lastSaved: { fileName, bytesWritten: result.bytesWritten, via: 'download' } });
        }
      } catch (error) {
        get().showError('export', error);
      } finally {
        set({ exportStatus: 'idle' });
      }
    },

    downloadImatrix: () => downloadSmallFile(() => studioClient().exportImatrix()),
    downloadCheckpointConfig: () => downloadSmallFile(() => studioClient().exportCheckpointConfig()),
    downloadTransformersJs: () => {
      const measured = get().resultEval;
      const text = measured?.textSource === 'user' ? 'the text the person gave' : 'the bundled wikitext-2 test excerpt';
      return downloadSmallFile(() => studioClient().exportTransformersJs(measured ? { ppl: measured.ppl, windows: measured.windows, text } : undefined));
    },
  };
};
