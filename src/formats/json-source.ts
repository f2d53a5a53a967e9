// A model's JSON side file (config.json, tokenizer.json, an index, a recipe) read whole and
// parsed, with the one message for a broken one: the file named, "not valid UTF-8 JSON" and the
// parser's reason. They are small; one larger than 64 MiB is refused rather than read.
import type { ByteSource } from '../core/byte-source';
import { FormatError } from '../core/errors';

const MAX_JSON_BYTES = 64 << 20;

export async function readJsonSource(source: ByteSource): Promise<unknown> {
  if (source.byteLength > MAX_JSON_BYTES) throw new FormatError(`JSON file is ${source.byteLength} bytes, more than ${MAX_JSON_BYTES}`, 0, source.name);
  const bytes = await source.read(0, source.byteLength);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new FormatError(`not valid UTF-8 JSON: ${(e as Error).message}`, 0, source.name);
  }
}
