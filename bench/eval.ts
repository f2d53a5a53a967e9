// Perplexity-evaluation throughput (wikitext2-w256, docs/EVAL.md) with onnxruntime-node on the CPU,
// on the fixture models. Not a test. Run: npm run bench:eval -- [--windows 4] [--models a,b]
// [--threads N] [--fixtures DIR] [--out results.json]. Fixtures default to ../shared/fixtures.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { formatEvalBenchTable, runEvalBench, type EvalBenchRow } from '../src/eval/eval-bench';
import { createNodeLmSession } from '../src/eval/ort-node';
import { loadTokenizer } from '../src/eval/tokenizer';

interface Args {
  windows: number;
  models: string[];
  threads?: number;
  fixtures: string;
  out?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    windows: 4,
    models: ['tiny-llama', 'small-llama'],
    fixtures: resolve(process.cwd(), '../shared/fixtures'),
  };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    switch (argv[i]) {
      case '--windows':
        args.windows = Number(value());
        break;
      case '--models':
        args.models = value().split(',');
        break;
      case '--threads':
        args.threads = Number(value());
        break;
      case '--fixtures':
        args.fixtures = resolve(value());
        break;
      case '--out':
        args.out = value();
        break;
      default:
        throw new Error(`unknown argument ${argv[i]}; usage: eval [--windows N] [--models a,b] [--threads N] [--fixtures DIR] [--out FILE]`);
    }
  }
  if (!Number.isInteger(args.windows) || args.windows < 1) throw new Error(`--windows must be a positive integer`);
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const text = readFileSync(join(args.fixtures, 'text', 'wikitext-2-test.txt'), 'utf8');
  const rows: EvalBenchRow[] = [];
  for (const model of args.models) {
    const dir = join(args.fixtures, 'models', model);
    const tokens = loadTokenizer(readFileSync(join(dir, 'tokenizer.json'))).encode(text);
    const row = await runEvalBench(
      {
        model,
        runtime: 'onnxruntime-node',
        tokens,
        open: () => createNodeLmSession(join(dir, 'onnx', 'model.onnx'), { intraOpNumThreads: args.threads }),
      },
      args.windows,
    );
    rows.push(row);
    console.error(`${model}: ${row.tokensPerSecond.toFixed(0)} tokens/s`);
  }
  console.log(formatEvalBenchTable(rows));
  if (args.out) {
    const report = {
      bench: 'eval',
      protocol: 'wikitext2-w256',
      date: new Date().toISOString(),
      host: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
      threads: args.threads ?? 'default',
      rows,
    };
    writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${args.out}`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
