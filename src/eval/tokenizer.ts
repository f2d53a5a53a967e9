// A model's own tokenizer.json through @huggingface/tokenizers (docs/EVAL.md step 2): the same
// ids as the reference (Rust) tokenizer on the fixtures. Evaluation adds no special tokens.
import { Tokenizer } from '@huggingface/tokenizers';
import { FormatError, UnsupportedModelError } from '../core/errors';

/** What evaluation and calibration need from a tokenizer. */
export interface TextTokenizer {
  /** Token ids of `text`, with no special tokens (no BOS/EOS) added. */
  encode(text: string): Int32Array<ArrayBuffer>;
  /** Number of entries in the vocabulary, added tokens included. */
  readonly vocabSize: number;
}

/**
 * Loads a tokenizer from the contents of `tokenizer.json` (text, UTF-8 bytes or the parsed
 * object). `config` is `tokenizer_config.json` where the caller has it; encoding without
 * special tokens does not need it. Bad JSON is a FormatError, a tokenizer type the library
 * cannot build an UnsupportedModelError.
 */
export function loadTokenizer(
  json: string | Uint8Array | ArrayBuffer | object,
  config: object = {},
  fileName = 'tokenizer.json',
): TextTokenizer {
  let parsed: object;
  if (typeof json === 'string' || json instanceof Uint8Array || json instanceof ArrayBuffer) {
    const text = typeof json === 'string' ? json : new TextDecoder('utf-8').decode(json);
    try {
      parsed = JSON.parse(text) as object;
    } catch (e) {
      throw new FormatError(`not valid JSON: ${(e as Error).message}`, 0, fileName);
    }
  } else {
    parsed = json;
  }
  if (parsed === null || typeof parsed !== 'object' || !('model' in parsed)) {
    throw new FormatError('expected a Hugging Face tokenizer.json (an object with a "model" field)', 0, fileName);
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(parsed, config);
  } catch (e) {
    throw new UnsupportedModelError(`${fileName}: @huggingface/tokenizers cannot build this tokenizer: ${(e as Error).message}`, {
      file: fileName,
    });
  }
  const vocabSize = tokenizer.get_vocab(true).size;
  return {
    vocabSize,
    encode(text: string): Int32Array<ArrayBuffer> {
      return Int32Array.from(tokenizer.encode(text, { add_special_tokens: false }).ids);
    },
  };
}
