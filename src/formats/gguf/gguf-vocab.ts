// tokenizer.json (Hugging Face tokenizers) → `tokenizer.ggml.*` GGUF keys for a byte-level BPE
// vocabulary (docs/FORMATS.md §4.6), as llama.cpp's converter writes them (convert_hf_to_gguf.py
// get_vocab_base, gguf-py SpecialVocab): model "gpt2", pre "gpt-2", tokens padded to the config's
// vocab size with [PADn], token types (1 normal, 3 control, 4 user-defined, 5 unused), merges
// "a b", special ids (UINT32) and add_bos/add_eos (BOOL) only where the files state them.
import { UnsupportedModelError } from '../../core/errors';
import { gguf, type GgufMetadata } from './gguf-value';

export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

interface AddedToken {
  id: number;
  content: string;
  special?: boolean;
}

type Json = Record<string, unknown>;

export interface GgufVocabInput {
  /** Parsed tokenizer.json. */
  tokenizer: unknown;
  /** Parsed tokenizer_config.json, when there is one (special token names, add_bos/add_eos, chat template). */
  tokenizerConfig?: unknown;
  /** Parsed config.json (vocab_size, *_token_id fallbacks). */
  config?: Record<string, unknown>;
}

/** gguf-py SpecialVocab's token kinds, in its order, with their GGUF key stems. */
const SPECIAL_KINDS = [
  ['bos', 'bos_token_id'], ['eos', 'eos_token_id'], ['unk', 'unknown_token_id'], ['sep', 'seperator_token_id'],
  ['pad', 'padding_token_id'], ['cls', 'cls_token_id'], ['mask', 'mask_token_id'],
] as const;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** llama.cpp's does_token_look_special: added tokens that should be control tokens even when not marked special. */
function looksSpecial(t: string): boolean {
  return ['<pad>', '<mask>', '<2mass>', '[@BOS@]'].includes(t) || (t.startsWith('<|') && t.endsWith('|>')) || (t.startsWith('<start_of_') && t.endsWith('>'));
}

/**
 * The splits of Qwen2's and Llama 3's tokenizers (a Split with this regex, then ByteLevel without
 * its own regex), by the `tokenizer.ggml.pre` llama.cpp runs the same regex for. They differ in
 * digits: one at a time (qwen2) or up to three (llama-bpe).
 */
const SPLIT_PRE: Record<string, string> = {
  [String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`]: 'qwen2',
  [String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`]: 'llama-bpe',
};

/** The pre-tokenizer id llama.cpp uses for this tokenizer.json: GPT-2's byte-level split, Qwen2's or Llama 3's. */
function preTokenizerId(tok: Json): string {
  const pre = tok.pre_tokenizer;
  if (isObject(pre) && pre.type === 'ByteLevel' && pre.use_regex !== false) return 'gpt-2';
  if (isObject(pre) && pre.type === 'Sequence' && Array.isArray(pre.pretokenizers) && pre.pretokenizers.length === 2) {
    const [split, bytes] = pre.pretokenizers as Json[];
    const regex = isObject(split?.pattern) ? split.pattern.Regex : undefined;
    const id = split?.type === 'Split' && split.behavior === 'Isolated' && typeof regex === 'string' ? SPLIT_PRE[regex] : undefined;
    if (id && bytes?.type === 'ByteLevel' && bytes.use_regex === false) return id;
  }
  throw new UnsupportedModelError(
    `tokenizer.json: pre-tokenizer ${JSON.stringify(isObject(pre) ? pre.type : pre)} is not one llama.cpp's converter names here (GPT-2's ByteLevel, Qwen2's and Llama 3's regex splits are)`,
  );
}

/** Merges as "a b" strings; the newer [a, b] pair form has spaces encoded as U+0120 (gguf-py SpecialVocab). */
function mergeStrings(merges: unknown): string[] {
  if (!Array.isArray(merges)) throw new UnsupportedModelError('tokenizer.json: model.merges is missing');
  return merges.map((m, i) => {
    if (typeof m === 'string') return m;
    if (Array.isArray(m) && m.length === 2 && m.every((p) => typeof p === 'string')) {
      return m.map((p: string) => p.replace(/ /g, '\u0120')).join(' ');
    }
    throw new UnsupportedModelError(`tokenizer.json: merge ${i} is neither "a b" nor [a, b]: ${JSON.stringify(m)}`);
  });
}

function tokenName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  return undefined;
}

/**
 * The tokenizer keys for a byte-level BPE tokenizer.json, in the converter's order.
 * UnsupportedModelError for other tokenizer models (SentencePiece, WordPiece, …).
 */
export function ggufVocabMetadata(input: GgufVocabInput): GgufMetadata {
  const tok = input.tokenizer;
  if (!isObject(tok) || !isObject(tok.model)) throw new UnsupportedModelError('tokenizer.json has no "model" object');
  const model = tok.model;
  if (model.type !== 'BPE' || model.byte_fallback === true) {
    throw new UnsupportedModelError(`tokenizer.json: model type ${JSON.stringify(model.type)}${model.byte_fallback ? ' with byte fallback' : ''} is not supported yet (byte-level BPE is)`);
  }
  const pre = preTokenizerId(tok);
  if (!isObject(model.vocab)) throw new UnsupportedModelError('tokenizer.json: model.vocab is missing');
  const added = (Array.isArray(tok.added_tokens) ? tok.added_tokens : []) as AddedToken[];
  const byId = new Map<number, string>();
  for (const [text, id] of Object.entries(model.vocab)) if (typeof id === 'number') byId.set(id, text);
  for (const a of added) byId.set(a.id, a.content);
  const addedById = new Map(added.map((a) => [a.id, a]));
  const maxId = Math.max(-1, ...byId.keys());
  const configVocab = typeof input.config?.vocab_size === 'number' ? input.config.vocab_size : 0;
  const vocabSize = Math.max(configVocab, maxId + 1);

  const tokens: string[] = [];
  const types = new Int32Array(vocabSize);
  for (let i = 0; i < vocabSize; i++) {
    const text = byId.get(i);
    const a = addedById.get(i);
    if (text === undefined) {
      tokens.push(`[PAD${i}]`);
      types[i] = TOKEN_TYPE.unused;
    } else if (a) {
      const control = a.special === true || looksSpecial(text);
      tokens.push(control ? text : text.replace(/\u2581/g, ' '));
      types[i] = control ? TOKEN_TYPE.control : TOKEN_TYPE.userDefined;
    } else {
      tokens.push(text);
      types[i] = TOKEN_TYPE.normal;
    }
  }

  const m: GgufMetadata = new Map();
  m.set('tokenizer.ggml.model', gguf.string('gpt2'));
  m.set('tokenizer.ggml.pre', gguf.string(pre));
  m.set('tokenizer.ggml.tokens', gguf.strings(tokens));
  m.set('tokenizer.ggml.token_type', gguf.i32s(types));
  m.set('tokenizer.ggml.merges', gguf.strings(mergeStrings(model.merges)));

  // Special ids: names from tokenizer_config.json first, then *_token_id from config.json.
  const tc = isObject(input.tokenizerConfig) ? input.tokenizerConfig : {};
  const idOfText = new Map<string, number>();
  for (const [id, text] of byId) idOfText.set(text, id);
  for (const [kind, key] of SPECIAL_KINDS) {
    const name = tokenName(tc[`${kind}_token`]);
    let id = name !== undefined ? idOfText.get(name) : undefined;
    if (id === undefined) {
      const fromConfig = input.config?.[`${kind}_token_id`];
      if (typeof fromConfig === 'number' && Number.isSafeInteger(fromConfig) && fromConfig >= 0) id = fromConfig;
    }
    if (id !== undefined) m.set(`tokenizer.ggml.${key}`, gguf.u32(id));
  }
  if (typeof tc.add_bos_token === 'boolean') m.set('tokenizer.ggml.add_bos_token', gguf.bool(tc.add_bos_token));
  if (typeof tc.add_eos_token === 'boolean') m.set('tokenizer.ggml.add_eos_token', gguf.bool(tc.add_eos_token));
  if (typeof tc.chat_template === 'string') m.set('tokenizer.chat_template', gguf.string(tc.chat_template));
  return m;
}
