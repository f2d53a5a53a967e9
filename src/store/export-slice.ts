// Download of the last quantized model: the save picker streams it to disk from the worker;
// otherwise the worker returns a Blob and the page downloads it.
import type { StateCreator } from 'zustand';
import { studioClient } from './studio-client';
import { exportFileName } from './export-name';
import { downloadBlob, pickSaveTarget, savePicker } from './save-file';
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
}

export const createExportSlice: StateCreator<StudioState, [], [], ExportSlice> = (set, get) => ({
  exportStatus: 'idle',
  lastSaved: null,

  async downloadResult() {
    const { model, report, exportStatus, jobStatus } = get();
    if (!model || !report || exportStatus !== 'idle' || jobStatus !== 'idle') return;
    const fileName = exportFileName(model.index.fileName, report.scheme);
    set({ exportStatus: 'saving', notice: null });
    try {
      const picker = savePicker();
      if (picker) {
        const handle = await pickSaveTarget(picker, fileName);
        if (!handle) return;
        const result = await studioClient().exportOnnx(handle);
        set({ lastSaved: { fileName: handle.name, bytesWritten: result.bytesWritten, via: 'save-picker' } });
      } else {
        const result = await studioClient().exportOnnx();
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
});
