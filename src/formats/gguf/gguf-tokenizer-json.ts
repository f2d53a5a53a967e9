// A GGUF's own vocabulary (`tokenizer.ggml.*`) as the Hugging Face tokenizer.json the evaluator and
// exports read: the inverse of gguf-vocab.ts for byte-level BPE (model "gpt2" with pre-tokenizer
// "gpt-2" or "default", the GPT-2 regex split). Control and user-defined tokens become added
// tokens; merges stay "a b" strings, which tokenizers reads. Other vocabularies (SentencePiece
// "llama", other pre-tokenizers' splits) are refused by name: give the model's tokenizer.json.
import { UnsupportedModelError } from '../../core/errors';
import type { GgufMetadata } from './gguf-value';
import { TOKEN_TYPE } from './gguf-vocab';

function strings(metadata: GgufMetadata, key: string): string[] | undefined {
  const v = metadata.get(key);
  return v?.type === 'array' && v.elementType === 'string' ? v.value : undefined;
}

/** Why the GGUF's vocabulary cannot be a tokenizer.json, or undefined when it can. */
export function ggufTokenizerProblem(metadata: GgufMetadata): string | undefined {
  const model = metadata.get('tokenizer.ggml.model');
  if (model?.type !== 'string') return 'it holds no tokenizer (tokenizer.ggml.model)';
  if (model.value !== 'gpt2') return `its tokenizer is "${model.value}" (only byte-level BPE, "gpt2", is read back yet)`;
  const pre = metadata.get('tokenizer.ggml.pre');
  const preName = pre?.type === 'string' ? pre.value : 'default';
  if (preName !== 'gpt-2' && preName !== 'default') return `its pre-tokenizer is "${preName}" (only "gpt-2" is read back yet)`;
  if (!strings(metadata, 'tokenizer.ggml.tokens')) return 'it has no tokenizer.ggml.tokens';
  if (!strings(metadata, 'tokenizer.ggml.merges')) return 'it has no tokenizer.ggml.merges';
  return undefined;
}

/** tokenizer.json for a GGUF whose ggufTokenizerProblem() is undefined; UnsupportedModelError otherwise. */
export function tokenizerJsonFromGguf(metadata: GgufMetadata): Record<string, unknown> {
  const problem = ggufTokenizerProblem(metadata);
  if (problem) throw new UnsupportedModelError(`the GGUF's vocabulary cannot stand in for tokenizer.json: ${problem}`, { field: 'tokenizer.ggml.model' });
  const tokens = strings(metadata, 'tokenizer.ggml.tokens')!;
  const typesValue = metadata.get('tokenizer.ggml.token_type');
  const types = typesValue?.type === 'array' ? Array.from(typesValue.value as ArrayLike<number>) : [];
  const vocab: Record<string, number> = {};
  const added: Record<string, unknown>[] = [];
  tokens.forEach((token, id) => {
    vocab[token] = id;
    const type = types[id];
    if (type === TOKEN_TYPE.control || type === TOKEN_TYPE.userDefined) {
      added.push({ id, content: token, single_word: false, lstrip: false, rstrip: false, normalized: false, special: type === TOKEN_TYPE.control });
    }
  });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: null,
    decoder: { ...byteLevel, add_prefix_space: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: strings(metadata, 'tokenizer.ggml.merges')!,
    },
  };
}
