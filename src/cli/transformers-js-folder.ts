// `--layout transformers.js`: OUT is a folder that transformers.js loads as it is —
// config.json, generation_config.json, tokenizer files, onnx/model_<dtype>.onnx named by the
// recipe's weights (pipeline/exporters/transformers-js-layout.ts) and a README.md model card with
// the recipe and the written file's perplexity (measured here, W=16, when a tokenizer is known).
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UsageError } from '../core/errors';
import { createNodeLmSession } from '../eval/ort-node';
import { evaluatePerplexity } from '../eval/perplexity';
import { generationConfigOf, isFloat16Graph, modelCard, tokenizerConfigOf, TRANSFORMERS_JS_FILES, transformersJsConfigOf, transformersJsDtypeOf } from '../pipeline/exporters/transformers-js-layout';
import type { Planned, RunOutcome } from './compress-run';
import { evaluationTokens } from './eval-inputs';
import { sidecarPath } from './sidecars';

const CARD_WINDOWS = 16;

/** Where the ONNX file goes in FOLDER, checked before any work. */
export async function transformersJsTarget(folder: string, planned: Planned, dtype?: string): Promise<string> {
  if (/\.(onnx|gguf|safetensors)$/i.test(folder)) throw new UsageError(`--layout transformers.js writes a folder: give -o FOLDER, not "${folder}"`);
  if (!planned.sidecars.context.config) throw new UsageError('a transformers.js folder needs the model\'s config.json: give it beside the model or with --config');
  if (!planned.sidecars.tokenizerPath) throw new UsageError('a transformers.js folder needs tokenizer.json: give it beside the model or with --tokenizer');
  const name = TRANSFORMERS_JS_FILES[transformersJsDtypeOf(planned.resolved.plan, isFloat16Graph(planned.model.index), dtype)];
  await mkdir(join(folder, 'onnx'), { recursive: true });
  return join(folder, 'onnx', name);
}

/** The files beside the ONNX file, and the model card; returns the names written. */
export async function finishTransformersJsFolder(folder: string, model: string, planned: Planned, outcome: RunOutcome, onnxPath: string, dtype?: string): Promise<string[]> {
  const { sidecars } = planned;
  const plan = planned.resolved.plan;
  const written: string[] = [];
  const config = transformersJsConfigOf(sidecars.context.config!, basename(onnxPath), outcome.files.length - 1);
  await writeFile(join(folder, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  written.push('config.json');
  const generation = await sidecarPath(model, 'generation_config.json');
  if (generation) await copyFile(generation, join(folder, 'generation_config.json'));
  else await writeFile(join(folder, 'generation_config.json'), `${JSON.stringify(generationConfigOf(sidecars.context.config!), null, 2)}\n`);
  written.push('generation_config.json');
  await copyFile(sidecars.tokenizerPath!, join(folder, 'tokenizer.json'));
  if (sidecars.tokenizerConfigPath) await copyFile(sidecars.tokenizerConfigPath, join(folder, 'tokenizer_config.json'));
  else await writeFile(join(folder, 'tokenizer_config.json'), `${JSON.stringify(tokenizerConfigOf(sidecars.context.config!), null, 2)}\n`);
  written.push('tokenizer.json', 'tokenizer_config.json');
  const session = await createNodeLmSession(onnxPath);
  let perplexity;
  try {
    const tokens = await evaluationTokens(planned.model, { tokenizer: sidecars.tokenizerPath });
    const r = await evaluatePerplexity(session, tokens, { windows: CARD_WINDOWS });
    perplexity = { ppl: r.ppl, windows: r.windows, text: 'the bundled wikitext-2 test excerpt' };
  } finally {
    await session.release();
  }
  const card = modelCard({ name: sidecars.context.modelName ?? basename(folder), source: planned.model.index.fileName, dtype: transformersJsDtypeOf(plan, isFloat16Graph(planned.model.index), dtype), plan, bytes: outcome.bytes, perplexity });
  await writeFile(join(folder, 'README.md'), card);
  written.push('README.md');
  return written;
}
