// Perplexity-evaluation throughput (wikitext2-w256, docs/EVAL.md) and sweep-point timing, on the
// fixture models. Not a test. Three halves, run one after another: onnxruntime-node on the CPU;
// onnxruntime-web in Chromium on the WebGPU and wasm EPs (bench/eval-browser.ts); a small RTN sweep
// split into quantize / evaluate ms (bench/eval-sweep.ts). Run: npm run bench:eval -- [flags];
// `--help` lists them. Fixtures default to ../shared/fixtures. Prints one report naming the machine.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runEvalBench, type EvalBenchRow } from '../src/eval/eval-bench';
import { createNodeLmSession } from '../src/eval/ort-node';
import { loadTokenizer } from '../src/eval/tokenizer';
import type { RtnBits, RtnGroupSize } from '../src/core/recipe';
import { runBrowserEvalBench } from './eval-browser';
import { describeMachine, formatReport, type EvalReport } from './eval-report';
import { runSweepBench } from './eval-sweep';

const USAGE = `usage: npm run bench:eval -- [flags]
  --windows N          windows for onnxruntime-node and the wasm EP (default 4)
  --webgpu-windows N   windows for the WebGPU EP (default 1; SwiftShader takes 5-20 s a window)
  --sweep-windows N    windows evaluated per sweep point (default 2)
  --sweep-bits a,b     bit widths of the sweep (default 8,4,2)
  --sweep-block a,b    block sizes of the sweep (default 32; 'pc' = per-channel)
  --models a,b         fixture models (default tiny-llama,small-llama)
  --threads N          onnxruntime-node intra-op threads (default: onnxruntime's)
  --fixtures DIR       default ../shared/fixtures
  --skip-node | --skip-browser | --skip-sweep
  --out FILE.json      also write the report as JSON`;

interface Args {
  windows: number;
  webgpuWindows: number;
  sweepWindows: number;
  sweepBits: RtnBits[];
  sweepBlocks: RtnGroupSize[];
  models: string[];
  threads?: number;
  fixtures: string;
  skipNode: boolean;
  skipBrowser: boolean;
  skipSweep: boolean;
  out?: string;
}

function positiveInt(flag: string, v: string, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer ≥ ${min}, got "${v}"`);
  return n;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    windows: 4,
    webgpuWindows: 1,
    sweepWindows: 2,
    sweepBits: [8, 4, 2],
    sweepBlocks: [32],
    models: ['tiny-llama', 'small-llama'],
    fixtures: resolve(process.cwd(), '../shared/fixtures'),
    skipNode: false,
    skipBrowser: false,
    skipSweep: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--windows': args.windows = positiveInt(flag, value()); break;
      case '--webgpu-windows': args.webgpuWindows = positiveInt(flag, value(), 0); break;
      case '--sweep-windows': args.sweepWindows = positiveInt(flag, value()); break;
      case '--sweep-bits':
        args.sweepBits = value().split(',').map((b) => {
          if (!['2', '3', '4', '8'].includes(b)) throw new Error(`--sweep-bits values must be 2, 3, 4 or 8, got "${b}"`);
          return Number(b) as RtnBits;
        });
        break;
      case '--sweep-block':
        args.sweepBlocks = value().split(',').map((b) => (b === 'pc' ? 'per-channel' : (positiveInt(flag, b) as RtnGroupSize)));
        break;
      case '--models': args.models = value().split(','); break;
      case '--threads': args.threads = positiveInt(flag, value()); break;
      case '--fixtures': args.fixtures = resolve(value()); break;
      case '--skip-node': args.skipNode = true; break;
      case '--skip-browser': args.skipBrowser = true; break;
      case '--skip-sweep': args.skipSweep = true; break;
      case '--out': args.out = value(); break;
      case '--help': console.log(USAGE); process.exit(0);
      default: throw new Error(`unknown argument ${flag}\n${USAGE}`);
    }
  }
  return args;
}

/** As bin/studio.mjs: add SwiftShader to the Vulkan drivers, so Dawn still prefers a real GPU. */
function addFallbackVulkanDriver(): void {
  const icd = '/usr/lib/chromium/vk_swiftshader_icd.json';
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES || process.env.VK_ADD_DRIVER_FILES) return;
  if (existsSync(icd)) process.env.VK_ADD_DRIVER_FILES = icd;
}

const log = (line: string) => console.error(line);
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const report: EvalReport = { machine: describeMachine(), nodeRows: [], nodeThreads: args.threads ?? 'default' };
  const text = readFileSync(join(args.fixtures, 'text', 'wikitext-2-test.txt'), 'utf8');
  const tokens = new Map<string, Int32Array>();
  for (const model of args.models) {
    tokens.set(model, loadTokenizer(readFileSync(join(args.fixtures, 'models', model, 'tokenizer.json'))).encode(text));
  }

  if (!args.skipNode) {
    for (const model of args.models) {
      const onnx = join(args.fixtures, 'models', model, 'onnx', 'model.onnx');
      const row: EvalBenchRow = await runEvalBench(
        {
          model,
          runtime: 'onnxruntime-node',
          tokens: tokens.get(model)!,
          open: () => createNodeLmSession(onnx, { intraOpNumThreads: args.threads }),
        },
        args.windows,
      );
      report.nodeRows.push(row);
      log(`node ${model}: ${row.tokensPerSecond.toFixed(0)} tokens/s`);
    }
  }
  if (!args.skipBrowser) {
    try {
      report.browser = await runBrowserEvalBench({
        models: args.models,
        fixtures: args.fixtures,
        tokens,
        windows: { webgpu: args.webgpuWindows, wasm: args.windows },
        log,
      });
    } catch (e) {
      report.browserError = errorText(e);
      log(`browser half failed: ${report.browserError}`);
    }
  }
  if (!args.skipSweep) {
    addFallbackVulkanDriver();
    try {
      report.sweep = await runSweepBench({
        models: args.models,
        fixtures: args.fixtures,
        tokens,
        bits: args.sweepBits,
        blocks: args.sweepBlocks,
        windows: args.sweepWindows,
        threads: args.threads,
        log,
      });
    } catch (e) {
      report.sweepError = errorText(e);
      log(`sweep half failed: ${report.sweepError}`);
    }
  }

  console.log(formatReport(report));
  if (args.out) {
    const json = { bench: 'eval', protocol: 'wikitext2-w256', date: new Date().toISOString(), args, ...report };
    writeFileSync(args.out, `${JSON.stringify(json, null, 2)}\n`);
    console.log(`wrote ${args.out}`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(errorText(e));
    process.exit(1);
  },
);
