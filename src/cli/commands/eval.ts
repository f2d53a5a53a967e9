// `studio eval MODEL [--tokenizer FILE] [--text FILE] [--windows N] [--json]`: perplexity by
// docs/EVAL.md (wikitext2-w256, default W=16) with onnxruntime-node.
import { createNodeLmSession } from '../../eval/ort-node';
import { evaluatePerplexity } from '../../eval/perplexity';
import { openModel } from '../../pipeline/open-model';
import { evaluationTokens, parseWindows } from '../eval-inputs';
import { graphModel } from '../graph-model';
import { modelSources } from '../node-files';
import { endProgress, printJson, printLine, progressLine } from '../output';

export interface EvalArgs {
  model: string;
  tokenizer?: string;
  text?: string;
  windows?: string;
  json: boolean;
}

export async function evalCommand(args: EvalArgs): Promise<void> {
  const windows = parseWindows(args.windows);
  const sources = await modelSources(args.model);
  const model = await graphModel(await openModel(sources), 'perplexity runs the model');
  const tokens = await evaluationTokens(model, args);
  // The runtime reads the model (and its external data) itself from the model's own file.
  const modelBytes = await model.files[0].read(0, model.files[0].byteLength);
  const session = await createNodeLmSession(model.files.length > 1 ? await modelPath(args.model) : modelBytes);
  try {
    const r = await evaluatePerplexity(session, tokens, {
      windows,
      onProgress: (p) => progressLine(`eval [${p.windowsDone}/${p.windowsTotal}] ${p.tokensPerSecond.toFixed(0)} tokens/s`),
    });
    endProgress();
    const out = { ppl: r.ppl, windows: r.windows, tokensScored: r.tokensScored, tokensPerSecond: r.tokensPerSecond };
    if (args.json) printJson(out);
    else printLine(`perplexity ${r.ppl.toFixed(4)} (wikitext2-w256, W=${r.windows}, ${r.tokensScored} tokens scored, ${r.tokensPerSecond.toFixed(0)} tokens/s)`);
  } finally {
    await session.release();
  }
}

/** The .onnx path itself (so onnxruntime finds external data beside it). */
async function modelPath(path: string): Promise<string> {
  const { stat, readdir } = await import('node:fs/promises');
  const { join } = await import('node:path');
  if (!(await stat(path)).isDirectory()) return path;
  const onnx = (await readdir(path)).find((n) => n.endsWith('.onnx'));
  return onnx ? join(path, onnx) : path;
}
