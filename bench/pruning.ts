// Pruning quality at the protocol's settings (not a test; the CI test, prune-quality.test.ts,
// calibrates SparseGPT on fewer windows to stay quick): magnitude, Wanda and SparseGPT at 50 %
// unstructured and 2:4 on a fixture model, calibrated on 128 windows of the bundled validation
// text, sequential (the defaults), CPU references; perplexity at W=16 and W=64 (docs/EVAL.md).
// Run: npm run bench:pruning -- [--model small-llama] [--windows 128] [--fixtures DIR].
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_CALIBRATION, RECIPE_VERSION, type PruneSpec, type Recipe } from '../src/core/recipe';
import { OUTPUT_HEAD_PATTERN } from '../src/core/tensor-selection';
import { createNodeLmSession } from '../src/eval/ort-node';
import { loadTokenizer } from '../src/eval/tokenizer';
import { VariantEvaluator } from '../src/eval/variant-evaluator';
import { CalibrationCache, calibrator } from '../src/pipeline/calibration/calibrator';
import { compressModel } from '../src/pipeline/compress-model';
import { openModel } from '../src/pipeline/open-model';
import { resolveRecipe } from '../src/pipeline/recipe/resolve-recipe';
import { variantWeights } from '../src/pipeline/variant-weights';
import { modelSources } from '../src/cli/node-files';
import { describeMachine, textTable } from './eval-report';

const opts = { model: 'small-llama', windows: DEFAULT_CALIBRATION.windows, fixtures: resolve(import.meta.dirname, '../../shared/fixtures') };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--model') opts.model = argv[++i];
  else if (argv[i] === '--windows') opts.windows = Number(argv[++i]);
  else if (argv[i] === '--fixtures') opts.fixtures = argv[++i];
  else throw new Error(`unknown argument ${argv[i]} (use --model NAME, --windows N, --fixtures DIR)`);
}

const dir = join(opts.fixtures, 'models', opts.model);
const model = await openModel(await modelSources(join(dir, 'onnx', 'model.onnx')));
const publicEval = resolve(import.meta.dirname, '../public/eval');
const ids = loadTokenizer(readFileSync(join(dir, 'tokenizer.json'))).encode(readFileSync(join(publicEval, 'wikitext-2-test-excerpt.txt'), 'utf8'));
const text = readFileSync(join(publicEval, 'wikitext-2-valid-excerpt.txt'), 'utf8');
const evaluator = await VariantEvaluator.create(model, (b) => createNodeLmSession(b));
const cache = new CalibrationCache();
const env = { text: async () => text, createSession: (b: Uint8Array) => createNodeLmSession(b), cache };

const SPECS: PruneSpec[] = [
  { method: 'magnitude', sparsity: 0.5, scope: 'tensor' },
  { method: 'wanda', sparsity: 0.5 },
  { method: 'sparsegpt', sparsity: 0.5, damping: 0.01, blocksize: 128 },
  { method: 'magnitude', pattern: '2:4', scope: 'tensor' },
  { method: 'wanda', pattern: '2:4' },
  { method: 'sparsegpt', pattern: '2:4', damping: 0.01, blocksize: 128 },
];
const original = { w16: (await evaluator.evaluate(ids, [], { windows: 16 })).ppl, w64: (await evaluator.evaluate(ids, [], { windows: 64 })).ppl };
const rows = [['original', '–', original.w16.toFixed(4), original.w64.toFixed(4), '–']];
for (const prune of SPECS) {
  const recipe: Recipe = { recipe: RECIPE_VERSION, calibration: { ...DEFAULT_CALIBRATION, windows: opts.windows }, rules: [{ match: OUTPUT_HEAD_PATTERN, keep: true }, { match: '.*', role: 'matmul-weight', prune }] };
  const resolved = await resolveRecipe(model, recipe, 'onnx');
  const t0 = performance.now();
  const { results, report } = await compressModel(model, resolved, { keepResults: true, calibrate: resolved.plan.calibration ? calibrator(model, resolved.plan.calibration, env) : undefined });
  const ms = performance.now() - t0;
  const weights = variantWeights(resolved.plan, results!);
  const w16 = (await evaluator.evaluate(ids, weights, { windows: 16 })).ppl;
  const w64 = (await evaluator.evaluate(ids, weights, { windows: 64 })).ppl;
  rows.push([`${prune.method} ${prune.pattern ?? `${prune.sparsity! * 100} %`}`, (report.sparsity!.pruned * 100).toFixed(2), w16.toFixed(4), w64.toFixed(4), `${(ms / 1000).toFixed(1)} s`]);
  console.error(rows[rows.length - 1].join('  '));
}
await evaluator.release();
const m = describeMachine();
console.log(`Pruning quality, ${opts.model}, every matmul weight but the head; Wanda/SparseGPT calibrated on ${opts.windows} windows, sequential; CPU references, onnxruntime-node`);
console.log(`machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, node ${m.node}`);
const header = ['method', 'sparsity %', 'ppl W=16', 'ppl W=64', 'compress'];
console.log(textTable(header, rows));
