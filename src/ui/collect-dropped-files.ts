// Files from a drop: plain files, or whole folders walked with webkitGetAsEntry (folders are
// not in dataTransfer.files). Entries must be taken synchronously inside the drop event;
// walking them may happen later.

/** Takes what the drop carries, now (DataTransfer items expire after the event). */
export function takeDropped(dataTransfer: DataTransfer): () => Promise<File[]> {
  const entries: FileSystemEntry[] = [];
  const files: File[] = [];
  for (const item of Array.from(dataTransfer.items ?? [])) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
    else {
      const file = item.getAsFile();
      if (file) files.push(file);
    }
  }
  if (entries.length === 0 && files.length === 0) files.push(...Array.from(dataTransfer.files ?? []));
  return async () => {
    const walked = await Promise.all(entries.map(walkEntry));
    return [...files, ...walked.flat()];
  };
}

async function walkEntry(entry: FileSystemEntry): Promise<File[]> {
  if (entry.isFile) {
    return [await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject))];
  }
  if (!entry.isDirectory) return [];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries returns the directory in batches (100 in Chrome) until an empty batch.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  const nested = await Promise.all(children.map(walkEntry));
  return nested.flat();
}
