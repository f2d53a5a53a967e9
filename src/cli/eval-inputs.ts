// What `eval` and `sweep` need besides the model: the tokenizer (--tokenizer, else the
// tokenizer.json found beside the model or in its parent folder) and the evaluation text
// (--text, else the wikitext-2 excerpt the studio ships in public/eval/).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MissingFileError, UsageError } from '../core/errors';
import { EVAL_PROTOCOL } from '../core/evaluation';
import { loadTokenizer } from '../eval/tokenizer';
import type { OpenedModel } from '../pipeline/open-model';

/** The bundled CLI lives in .cli-build/, one level below the repository root. */
const BUNDLED_TEXT = fileURLToPath(new URL('../public/eval/wikitext-2-test-excerpt.txt', import.meta.url));
const BUNDLED_CALIBRATION_TEXT = fileURLToPath(new URL('../public/eval/wikitext-2-valid-excerpt.txt', import.meta.url));

/** A recipe's calibration text: 'builtin' (the shipped wikitext-2 validation excerpt) or a file path. */
export async function calibrationText(name: string): Promise<string> {
  const path = name === 'builtin' ? BUNDLED_CALIBRATION_TEXT : name;
  return readFile(path, 'utf8').catch(() => {
    throw new MissingFileError(`${path}: calibration text not found`, path);
  });
}

export async function evaluationTokens(
  model: OpenedModel,
  args: { tokenizer?: string; text?: string },
): Promise<Int32Array> {
  let tokenizerBytes: Uint8Array;
  if (args.tokenizer) {
    tokenizerBytes = await readFile(args.tokenizer).catch(() => {
      throw new MissingFileError(`${args.tokenizer}: tokenizer file not found`, args.tokenizer!);
    });
  } else if (model.tokenizer) {
    tokenizerBytes = await model.tokenizer.read(0, model.tokenizer.byteLength);
  } else {
    throw new MissingFileError(
      `no tokenizer.json beside ${model.index.fileName} or in its parent folder; pass --tokenizer FILE`,
      'tokenizer.json',
    );
  }
  const textPath = args.text ?? BUNDLED_TEXT;
  const text = await readFile(textPath, 'utf8').catch(() => {
    throw new MissingFileError(`${textPath}: evaluation text not found`, textPath);
  });
  return loadTokenizer(tokenizerBytes, {}, args.tokenizer ?? 'tokenizer.json').encode(text);
}

export function parseWindows(value: string | undefined): number {
  if (value === undefined) return EVAL_PROTOCOL.defaultWindows;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--windows must be a positive integer, got "${value}"`);
  return n;
}
