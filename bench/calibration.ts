// Calibration and structured-pruning cost (not a test), with onnxruntime-node on the CPU, against
// a baseline measured in the same run: the evaluation of the same number of tokens.
// - capture once: every matmul input tapped, sums of squares accumulated (Wanda's statistics);
// - Wanda 50 % whole runs: sequential calibration (one pass per decoder layer) against one pass;
// - a 25 % MLP-channel-pruned model's evaluation speed against the original's.
// GPU Hessians and SparseGPT are left out: on this machine WebGPU is SwiftShader (CPU), which
// measures an emulator, not a GPU. Run: npm run bench:calibration -- [--model small-llama]
// [--windows 16] [--fixtures DIR]. Prints one report naming the machine.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { blobSink, concatChunks } from '../src/core/byte-sink';
import { RECIPE_VERSION, type Recipe } from '../src/core/recipe';
import { MLP_PROJECTIONS, OUTPUT_HEAD_PATTERN } from '../src/core/tensor-selection';
import { createNodeLmSession } from '../src/eval/ort-node';
import { evaluatePerplexity } from '../src/eval/perplexity';
import { loadTokenizer } from '../src/eval/tokenizer';
import { calibrate } from '../src/pipeline/calibration/calibrate';
import { calibrator } from '../src/pipeline/calibration/calibrator';
import { compressModel, exportCompressed } from '../src/pipeline/compress-model';
import { openModel } from '../src/pipeline/open-model';
import { resolveRecipe } from '../src/pipeline/recipe/resolve-recipe';
import { modelSources } from '../src/cli/node-files';
import { describeMachine, textTable } from './eval-report';

function args(argv: string[]) {
  const out = { model: 'small-llama', windows: 16, fixtures: resolve(import.meta.dirname, '../../shared/fixtures') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--model') out.model = argv[++i];
    else if (argv[i] === '--windows') out.windows = Number(argv[++i]);
    else if (argv[i] === '--fixtures') out.fixtures = argv[++i];
    else throw new Error(`unknown argument ${argv[i]} (use --model NAME, --windows N, --fixtures DIR)`);
  }
  return out;
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await run();
  return { ms: performance.now() - t0, value };
}

const a = args(process.argv.slice(2));
const dir = join(a.fixtures, 'models', a.model);
const onnxPath = join(dir, 'onnx', 'model.onnx');
const model = await openModel(await modelSources(onnxPath));
const tokenizer = loadTokenizer(readFileSync(join(dir, 'tokenizer.json')));
const publicEval = resolve(import.meta.dirname, '../public/eval');
const evalIds = tokenizer.encode(readFileSync(join(publicEval, 'wikitext-2-test-excerpt.txt'), 'utf8'));
const calibrationText = readFileSync(join(publicEval, 'wikitext-2-valid-excerpt.txt'), 'utf8');
const calIds = tokenizer.encode(calibrationText);
const W = a.windows;
const tokens = W * 256;
const rows: string[][] = [];
const add = (what: string, ms: number, baseline: number, note = '') => rows.push([what, `${(ms / 1000).toFixed(2)} s`, `${Math.round(tokens / (ms / 1000))}`, `${(ms / baseline).toFixed(2)}×`, note]);

// Baseline: the evaluation of W windows (the original model, weights in the graph).
const session = await createNodeLmSession(onnxPath);
await evaluatePerplexity(session, evalIds, { windows: 1 }); // warm-up
const base = await timed(() => evaluatePerplexity(session, evalIds, { windows: W }));
await session.release();
add(`evaluate ${W} windows (baseline)`, base.ms, base.ms, `ppl ${base.value.ppl.toFixed(3)}`);

const matmuls = model.index.tensors.filter((t) => t.role === 'matmul-weight' && t.layer !== 'lm_head').map((t) => t.name);
const capture = await timed(() => calibrate(model, new Map(matmuls.map((n) => [n, 'input-stats' as const])), { windows: W, tokens: calIds, textLabel: 'builtin', createSession: (b) => createNodeLmSession(b) }));
add(`capture once, ${matmuls.length} weights' inputs, Σx²`, capture.ms, base.ms, 'includes writing the tapped graph and opening its session');

const wanda = (sequential: boolean): Recipe => ({
  recipe: RECIPE_VERSION,
  calibration: { text: 'builtin', windows: W, sequential },
  rules: [{ match: OUTPUT_HEAD_PATTERN, keep: true }, { match: '.*', role: 'matmul-weight', prune: { method: 'wanda', sparsity: 0.5 } }],
});
const env = { text: async () => calibrationText, createSession: (b: Uint8Array) => createNodeLmSession(b) };
for (const sequential of [false, true]) {
  const resolved = await resolveRecipe(model, wanda(sequential), 'onnx');
  const r = await timed(() => compressModel(model, resolved, { keepResults: true, calibrate: calibrator(model, resolved.plan.calibration!, env) }));
  add(`Wanda 50 % run, ${sequential ? 'sequential' : 'one pass'}`, r.ms, base.ms, `${r.value.report.calibration!.passes} capture pass(es), CPU references`);
}

// Structured: the original against a 25 % channel-pruned export, same W, same runtime.
const channels: Recipe = { recipe: RECIPE_VERSION, calibration: { text: 'builtin', windows: W, sequential: false }, rules: [{ match: MLP_PROJECTIONS, prune: { method: 'channels', sparsity: 0.25 } }] };
const resolved = await resolveRecipe(model, channels, 'onnx');
const { results } = await compressModel(model, resolved, { keepResults: true, calibrate: calibrator(model, resolved.plan.calibration!, env) });
const sink = blobSink();
await exportCompressed(resolved, results!, async () => sink);
const prunedPath = join(mkdtempSync(join(tmpdir(), 'bench-channels-')), 'channels.onnx');
writeFileSync(prunedPath, concatChunks(sink.chunks));
const narrow = await createNodeLmSession(prunedPath);
await evaluatePerplexity(narrow, evalIds, { windows: 1 });
const pruned = await timed(() => evaluatePerplexity(narrow, evalIds, { windows: W }));
await narrow.release();
add(`evaluate the 25 % MLP-channel-pruned model`, pruned.ms, base.ms, `ppl ${pruned.value.ppl.toFixed(3)}, ${(resolved.plan.outputBytes / 1e6).toFixed(1)} MB vs ${(model.index.fileBytes / 1e6).toFixed(1)} MB`);

const m = describeMachine();
console.log(`Calibration and structured pruning, ${a.model}, W=${W} (${tokens} tokens), onnxruntime-node CPU`);
console.log(`machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, node ${m.node}, load ${m.loadAverageAtStart.join(' ')}`);
const header = ['what', 'time', 'tokens/s', '× baseline', 'note'];
console.log(textTable(header, rows, [0, 4]));
