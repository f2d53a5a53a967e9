// The studio's `convert` beside llama.cpp's `llama-quantize` on a model of real shape (not a test):
// both start from the same BF16 GGUF (written by `studio convert --type BF16` from the checkpoint),
// whole runs (read, quantize, write) on this machine with the same thread count, their wall time,
// peak memory (when /usr/bin/time exists), and every tensor of the two files compared byte for
// byte. Issue #13's goal: at most 2× llama-quantize's time, with identical blocks.
// llama-quantize builds offline from the llama.cpp source inside node-llama-cpp
// (../shared/fixtures/README.md).
// Run: npm run bench:llama-quantize -- --llama-quantize PATH [--model DIR] [--types Q8_0,Q4_0,Q4_K_M]
//      [--threads N] [--device auto|gpu|cpu] [--out FILE.json]
//      (without --model: the Llama-3.2-1B shape from bench/make-model.ts, made in the temp folder)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openGguf, readGgufTensor } from '../src/formats/gguf/gguf-reader';
import { fileSource } from '../src/cli/node-files';
import { describeMachine, textTable } from './eval-report';

const root = resolve(import.meta.dirname, '..');
const opts = { llamaQuantize: '', model: '', types: 'Q8_0,Q4_0,Q4_K_M', threads: String(availableParallelism()), device: 'auto', out: '' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const key = argv[i].replace(/^--/, '').replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) as keyof typeof opts;
  if (!(key in opts) || argv[i + 1] === undefined) throw new Error(`unknown argument ${argv[i]} (use --llama-quantize PATH, --model DIR, --types A,B, --threads N, --device D, --out FILE)`);
  opts[key] = argv[++i];
}
if (!opts.llamaQuantize || !existsSync(opts.llamaQuantize)) throw new Error('--llama-quantize PATH is required (build it offline: ../shared/fixtures/README.md)');

/** Q8_0 and Q4_0 as llama-quantize --pure writes them (every 2-D weight in the type); mixes as they are. */
const PURE = new Set(['Q8_0', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1']);
const studio = join(root, 'bin', 'studio.mjs');
const work = join(tmpdir(), 'studio-llama-quantize-bench');
mkdirSync(work, { recursive: true });
const timeTool = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

interface Timed {
  seconds: number;
  peakBytes: number | null;
}

function timed(label: string, command: string, args: string[]): Timed {
  const started = performance.now();
  const r = timeTool ? spawnSync(timeTool, ['-f', 'peak-kb %M', command, ...args], { encoding: 'utf8' }) : spawnSync(command, args, { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${label} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const peak = /peak-kb (\d+)/.exec(r.stderr);
  return { seconds, peakBytes: peak ? Number(peak[1]) * 1024 : null };
}

/** Tensors of two GGUF files compared by name, type and bytes (one tensor in memory at a time). */
async function compareTensors(a: string, b: string): Promise<{ identical: number; total: number; differing: string[] }> {
  const ga = await openGguf(await fileSource(a));
  const gb = await openGguf(await fileSource(b));
  const byName = new Map(gb.tensors.map((t) => [t.name, t]));
  const differing: string[] = [];
  for (const t of ga.tensors) {
    const u = byName.get(t.name);
    if (!u || u.type.name !== t.type.name || Buffer.compare(await readGgufTensor(ga, t), await readGgufTensor(gb, u)) !== 0) differing.push(t.name);
  }
  if (ga.tensors.length !== gb.tensors.length) differing.push(`(tensor count ${ga.tensors.length} vs ${gb.tensors.length})`);
  return { identical: ga.tensors.length - differing.length, total: ga.tensors.length, differing };
}

let model = opts.model;
if (!model) {
  model = join(work, 'llama-3.2-1b');
  if (!existsSync(join(model, 'model.safetensors'))) execFileSync(process.execPath, [join(root, '.bench', 'make-model.mjs'), '--shape', 'llama-3.2-1b', '-o', model], { stdio: 'inherit' });
  const tokenizer = resolve(root, '../shared/fixtures/models/tiny-llama/tokenizer.json');
  if (!existsSync(join(model, 'tokenizer.json'))) copyFileSync(tokenizer, join(model, 'tokenizer.json'));
}
execFileSync(process.execPath, [studio, '--help'], { stdio: 'ignore' }); // bundle the CLI once, outside the timings
const bf16 = join(work, 'model-bf16.gguf');
execFileSync(process.execPath, [studio, 'convert', model, '-o', bf16, '--type', 'BF16'], { stdio: 'inherit' });

const results = [];
const rows: string[][] = [];
const gb = (t: Timed) => (t.peakBytes === null ? '–' : (t.peakBytes / 1e9).toFixed(2));
for (const type of opts.types.split(',')) {
  const pure = PURE.has(type);
  const theirs = join(work, `llama-quantize-${type}.gguf`);
  const ours = join(work, `studio-${type}.gguf`);
  const lq = timed(`llama-quantize ${type}`, opts.llamaQuantize, [...(pure ? ['--pure'] : []), bf16, theirs, type, opts.threads]);
  const st = timed(`studio convert ${type}`, process.execPath, [studio, 'convert', bf16, '-o', ours, '--type', type, ...(pure ? ['--pure'] : []), '--device', opts.device]);
  const same = await compareTensors(theirs, ours);
  rmSync(theirs);
  rmSync(ours);
  const label = `${type}${pure ? ' --pure' : ''}`;
  console.log(`${label}: llama-quantize ${lq.seconds.toFixed(1)} s, studio ${st.seconds.toFixed(1)} s (${(st.seconds / lq.seconds).toFixed(1)}×), identical tensors ${same.identical}/${same.total}`);
  rows.push([label, `${lq.seconds.toFixed(1)} / ${gb(lq)}`, `${st.seconds.toFixed(1)} / ${gb(st)}`, (st.seconds / lq.seconds).toFixed(1), `${same.identical}/${same.total}`]);
  results.push({ type, pure, llamaQuantize: lq, studio: st, ...same });
}
rmSync(bf16);

const m = describeMachine();
console.log(`\n${model} (BF16 GGUF in), ${opts.threads} threads for llama-quantize, studio --device ${opts.device} — ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}`);
console.log(textTable(['type', 'llama-quantize s / peak GB', 'studio convert s / peak GB', 'studio / llama-quantize time', 'identical tensors'], rows));
if (opts.out) writeFileSync(opts.out, `${JSON.stringify({ machine: m, model, threads: Number(opts.threads), device: opts.device, results }, null, 2)}\n`);
if (results.some((r) => r.identical !== r.total)) process.exitCode = 1;
