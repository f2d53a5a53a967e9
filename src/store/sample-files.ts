// The built-in sample (tiny-llama, ~7.5 MB ONNX + tokenizer.json + config.json in public/sample/), fetched
// from the page's own origin and turned into File objects like a drop would give. Fetched past the
// HTTP cache ('no-store'): the service worker's cache serves them once it controls the page, and
// on a first visit Chromium fails a cache write that races the worker's own precache of the same
// 7.5 MB file (net::ERR_CACHE_WRITE_FAILURE, seen in headless Chromium 156).
import { MissingFileError } from '../core/errors';

export const SAMPLE_FILES = ['model.onnx', 'tokenizer.json', 'config.json'] as const;

export async function fetchSampleFiles(): Promise<File[]> {
  const base = `${import.meta.env.BASE_URL}sample/`;
  return Promise.all(
    SAMPLE_FILES.map(async (name) => {
      const response = await fetch(base + name, { cache: 'no-store' });
      if (!response.ok) {
        throw new MissingFileError(`The sample file ${name} could not be fetched (HTTP ${response.status}).`, name);
      }
      return new File([await response.blob()], name, { type: 'application/octet-stream' });
    }),
  );
}
