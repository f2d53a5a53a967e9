// Memory benchmark (not a test) for issue #13's bound: peak resident memory of whole CLI runs on a
// model of real shape, against 2 × the largest tensor as float32 + 300 MB, for two depths of the
// same width (16 and 32 layers by default) — a path that holds one tensor at a time peaks the same
// at both. The models are made on the spot by bench/make-model.ts (kept in --dir for reruns);
// each run is `studio … --device cpu` (the CPU references: SwiftShader's buffers would live in this
// process too and say nothing about a GPU), its peak read by bench/peak-rss.cjs.
// Run: npm run bench:memory -- [--shape llama-3.2-1b] [--layers 16,32] [--targets q8_0,q4_0,f16,onnx-q4]
//      [--dir DIR] [--tokenizer FILE] [--out FILE.json]
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeMachine, textTable } from './eval-report';

/** What each target runs, given the model folder and an output stem. */
const TARGETS: Record<string, { label: string; args: (model: string, out: string) => string[] }> = {
  q8_0: { label: 'convert → GGUF Q8_0', args: (m, o) => ['convert', m, '-o', `${o}.gguf`, '--type', 'Q8_0'] },
  q4_0: { label: 'convert → GGUF Q4_0 --pure', args: (m, o) => ['convert', m, '-o', `${o}.gguf`, '--type', 'Q4_0', '--pure'] },
  q4_k_m: { label: 'convert → GGUF Q4_K_M', args: (m, o) => ['convert', m, '-o', `${o}.gguf`, '--type', 'Q4_K_M'] },
  f16: { label: 'convert → safetensors f16', args: (m, o) => ['convert', m, '-o', `${o}.safetensors`, '--dtype', 'f16'] },
  'onnx-q4': { label: 'quantize → ONNX 4-bit/32 (external data)', args: (m, o) => ['quantize', m, '-o', `${o}.onnx`, '--bits', '4'] },
};

const root = resolve(import.meta.dirname, '..');
const opts = {
  shape: 'llama-3.2-1b',
  layers: '16,32',
  targets: 'q8_0,q4_0,f16,onnx-q4',
  dir: join(tmpdir(), 'studio-memory-bench'),
  tokenizer: resolve(root, '../shared/fixtures/models/tiny-llama/tokenizer.json'),
  out: '',
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const key = a.replace(/^--/, '') as keyof typeof opts;
  if (!(key in opts) || argv[i + 1] === undefined) throw new Error(`unknown argument ${a} (use --shape S, --layers 16,32, --targets ${Object.keys(TARGETS).join(',')}, --dir DIR, --tokenizer FILE, --out FILE)`);
  opts[key] = argv[++i];
}
const targets = opts.targets.split(',');
for (const t of targets) if (!TARGETS[t]) throw new Error(`--targets: unknown ${t} (one of ${Object.keys(TARGETS).join(', ')})`);
if (!existsSync(opts.tokenizer)) throw new Error(`${opts.tokenizer} not found: give --tokenizer FILE (any Llama tokenizer.json; the GGUF vocabulary is padded to the model's)`);

const studio = join(root, 'bin', 'studio.mjs');
const makeModel = join(root, '.bench', 'make-model.mjs');
const preload = join(root, 'bench', 'peak-rss.cjs');

/** The model folder for this depth, made unless a previous run left it. */
function modelFor(layers: number): string {
  const dir = join(opts.dir, `${opts.shape}-${layers}`);
  const config = join(dir, 'config.json');
  if (!existsSync(config) || JSON.parse(readFileSync(config, 'utf8')).num_hidden_layers !== layers || !existsSync(join(dir, 'model.safetensors'))) {
    execFileSync(process.execPath, [makeModel, '--shape', opts.shape, '--layers', String(layers), '-o', dir], { stdio: 'inherit' });
  }
  copyFileSync(opts.tokenizer, join(dir, 'tokenizer.json'));
  return dir;
}

/** The largest tensor of a safetensors checkpoint, in elements (from its header alone). */
function largestTensorElements(dir: string): number {
  const fd = openSync(join(dir, 'model.safetensors'), 'r');
  try {
    const head = Buffer.alloc(8);
    readSync(fd, head, 0, 8, 0);
    const header = Buffer.alloc(Number(head.readBigUInt64LE(0)));
    readSync(fd, header, 0, header.length, 8);
    const tensors = JSON.parse(header.toString('utf8')) as Record<string, { shape?: number[] }>;
    return Math.max(...Object.entries(tensors).filter(([k]) => k !== '__metadata__').map(([, t]) => (t.shape ?? []).reduce((a, b) => a * b, 1)));
  } finally {
    closeSync(fd);
  }
}

interface Run {
  target: string;
  layers: number;
  seconds: number;
  peakBytes: number;
  outputBytes: number;
}

function run(target: string, model: string, layers: number): Run {
  const outStem = join(opts.dir, `out-${target}-${layers}`);
  const peakFile = join(opts.dir, 'peak-rss');
  rmSync(peakFile, { force: true });
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--require', preload, studio, ...TARGETS[target].args(model, outStem), '--device', 'cpu'], { encoding: 'utf8', env: { ...process.env, PEAK_RSS_FILE: peakFile } });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${TARGETS[target].label} (${layers} layers) failed: ${r.stderr}`);
  const outputs = ['.gguf', '.safetensors', '.onnx', '.onnx_data'].map((ext) => `${outStem}${ext}`).filter(existsSync);
  const outputBytes = outputs.reduce((n, f) => n + statSync(f).size, 0);
  for (const f of outputs) rmSync(f);
  return { target, layers, seconds, peakBytes: Number(readFileSync(peakFile, 'utf8')), outputBytes };
}

mkdirSync(opts.dir, { recursive: true });
execFileSync(process.execPath, [studio, '--help'], { stdio: 'ignore' }); // bundle the CLI once, outside the timings
const depths = opts.layers.split(',').map(Number);
const runs: Run[] = [];
let largest = 0;
for (const layers of depths) {
  const model = modelFor(layers);
  largest = Math.max(largest, largestTensorElements(model));
  for (const t of targets) {
    const r = run(t, model, layers);
    console.log(`${TARGETS[t].label}, ${layers} layers: ${r.seconds.toFixed(1)} s, peak ${(r.peakBytes / 1e9).toFixed(2)} GB`);
    runs.push(r);
  }
}

const bound = 2 * largest * 4 + 300e6;
const gb = (b: number) => (b / 1e9).toFixed(2);
const rows = targets.map((t) => {
  const of = depths.map((l) => runs.find((r) => r.target === t && r.layers === l)!);
  const spread = Math.max(...of.map((r) => r.peakBytes)) / Math.min(...of.map((r) => r.peakBytes));
  return [TARGETS[t].label, ...of.map((r) => `${gb(r.peakBytes)} (${r.seconds.toFixed(0)} s)`), spread.toFixed(3), (Math.max(...of.map((r) => r.peakBytes)) / bound).toFixed(2)];
});
const m = describeMachine();
console.log(`\npeak RSS, ${opts.shape}, bf16 safetensors, --device cpu — ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}`);
console.log(`bound: 2 × largest tensor (${largest} elements) as f32 + 300 MB = ${gb(bound)} GB`);
console.log(textTable(['path', ...depths.map((l) => `${l} layers: GB (wall)`), 'deepest/shallowest', 'peak / bound'], rows));
const json = { machine: m, shape: opts.shape, boundBytes: bound, largestTensorElements: largest, runs };
if (opts.out) writeFileSync(opts.out, `${JSON.stringify(json, null, 2)}\n`);
if (runs.some((r) => r.peakBytes > bound)) process.exitCode = 1;
