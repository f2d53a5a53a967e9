// Which device the CLI should compress on (src/cli/device-choice.ts), measured (not a test):
// `studio convert` of small-llama's F16 GGUF to each llama.cpp type, once with --device gpu (the
// WGSL kernels on whatever adapter Dawn finds) and once with --device cpu (the TypeScript
// references), whole runs (read, quantize, write) timed on this machine with their peak memory,
// and the two files compared byte for byte. On a CPU-fallback adapter (SwiftShader) this is what
// "auto" decides by; on a real GPU it shows what the GPU buys.
// Run: npm run bench:device -- [--types Q8_0,Q4_0,Q4_K_M,Q6_K] [--fixtures DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeMachine, textTable } from './eval-report';

const opts = { types: 'Q8_0,Q4_0,Q4_K_M,Q6_K', fixtures: resolve(import.meta.dirname, '../../shared/fixtures') };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--types') opts.types = argv[++i];
  else if (argv[i] === '--fixtures') opts.fixtures = argv[++i];
  else throw new Error(`unknown argument ${argv[i]} (use --types A,B or --fixtures DIR)`);
}

const studio = resolve(import.meta.dirname, '../bin/studio.mjs');
const source = join(opts.fixtures, 'models', 'small-llama', 'gguf', 'model-f16.gguf');
if (!existsSync(source)) throw new Error(`${source} not found (give --fixtures DIR)`);
const timeTool = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const tmp = mkdtempSync(join(tmpdir(), 'bench-device-'));

/** One whole CLI run: wall seconds, peak RSS (MiB, when /usr/bin/time exists) and, on a CPU fallback, the adapter's name (the CLI says it on stderr). */
function run(type: string, device: 'gpu' | 'cpu'): { seconds: number; peakMiB: number | null; ranOn: string; out: string } {
  const out = join(tmp, `${type}-${device}.gguf`);
  const args = [studio, 'convert', source, '-o', out, '--type', type, '--device', device];
  const started = performance.now();
  const r = timeTool ? spawnSync(timeTool, ['-f', 'peak-kb %M', process.execPath, ...args], { encoding: 'utf8' }) : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`studio convert --type ${type} --device ${device} failed: ${r.stderr}`);
  const peak = /peak-kb (\d+)/.exec(r.stderr);
  return { seconds, peakMiB: peak ? Number(peak[1]) / 1024 : null, ranOn: /CPU fallback adapter: (.+)$/m.exec(r.stderr)?.[1] ?? (device === 'gpu' ? 'a GPU adapter' : 'CPU'), out };
}

execFileSync(process.execPath, [studio, '--help'], { stdio: 'ignore' }); // bundle the CLI once, outside the timings
const rows: string[][] = [];
const results = [];
for (const type of opts.types.split(',')) {
  const gpu = run(type, 'gpu');
  const cpu = run(type, 'cpu');
  const same = Buffer.compare(readFileSync(gpu.out), readFileSync(cpu.out)) === 0;
  const mib = (x: number | null) => (x === null ? '–' : x.toFixed(0));
  rows.push([type, gpu.seconds.toFixed(2), mib(gpu.peakMiB), cpu.seconds.toFixed(2), mib(cpu.peakMiB), (gpu.seconds / cpu.seconds).toFixed(2), same ? 'yes' : 'NO']);
  results.push({ type, gpu, cpu, identical: same });
}
rmSync(tmp, { recursive: true, force: true });

const m = describeMachine();
console.log(`studio convert small-llama F16 GGUF (${source}) — ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, load ${m.loadAverageAtStart.join(' ')}`);
console.log(`--device gpu ran on: ${results[0]?.gpu.ranOn}`);
console.log(textTable(['type', 'gpu s', 'gpu MiB', 'cpu s', 'cpu MiB', 'gpu/cpu time', 'same bytes'], rows));
console.log(JSON.stringify({ machine: m, results: results.map(({ type, gpu, cpu, identical }) => ({ type, identical, gpu: { seconds: gpu.seconds, peakMiB: gpu.peakMiB, ranOn: gpu.ranOn }, cpu: { seconds: cpu.seconds, peakMiB: cpu.peakMiB } })) }));
if (results.some((r) => !r.identical)) process.exitCode = 1;
