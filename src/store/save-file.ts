// Where an export goes: the File System Access API when the browser has it (the worker streams
// straight to disk), else an ordinary download of a Blob. Automated browsers (navigator.webdriver)
// take the download path, so Playwright sees a download event.

interface SaveFilePickerOptions {
  suggestedName?: string;
  types?: { description?: string; accept: Record<string, string[]> }[];
}
type SaveFilePicker = (options?: SaveFilePickerOptions) => Promise<FileSystemFileHandle>;

/** The browser's save picker, or null when the plain download should be used. */
export function savePicker(): SaveFilePicker | null {
  if (typeof window === 'undefined' || navigator.webdriver) return null;
  const picker = (window as unknown as { showSaveFilePicker?: SaveFilePicker }).showSaveFilePicker;
  return typeof picker === 'function' ? picker.bind(window) : null;
}

const FILE_TYPES: Record<'onnx' | 'gguf' | 'safetensors' | 'json', { description: string; ext: string; mime: string }> = {
  onnx: { description: 'ONNX model', ext: '.onnx', mime: 'application/octet-stream' },
  gguf: { description: 'GGUF model', ext: '.gguf', mime: 'application/octet-stream' },
  safetensors: { description: 'safetensors checkpoint', ext: '.safetensors', mime: 'application/octet-stream' },
  json: { description: 'Recipe (JSON)', ext: '.json', mime: 'application/json' },
};

/** Asks where to save; null when the person closed the dialog. */
export async function pickSaveTarget(picker: SaveFilePicker, fileName: string, kind: keyof typeof FILE_TYPES): Promise<FileSystemFileHandle | null> {
  const t = FILE_TYPES[kind];
  try {
    return await picker({
      suggestedName: fileName,
      types: [{ description: t.description, accept: { [t.mime]: [t.ext] } }],
    });
  } catch (e) {
    if ((e as { name?: string }).name === 'AbortError') return null;
    throw e;
  }
}

/** Starts an ordinary download of a Blob under the given name. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the URL; free the Blob a little later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
