// `npx studio …`: the headless entry point over the same core as the page (DESIGN "Parts":
// src/cli/). Subcommands parse their own flags with node:util parseArgs (strict: unknown
// flags are usage errors, exit 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors';
import { inspectCommand } from './commands/inspect';
import { evalCommand } from './commands/eval';
import { quantizeCommand } from './commands/quantize';
import { sweepCommand } from './commands/sweep';
import { EXIT, reportError } from './output';

const HELP = `Compression Studio command line

usage:
  npx studio inspect MODEL [--json]
  npx studio quantize MODEL -o OUT --bits 2|3|4|8 [--block 16|32|64|128|256 | --per-channel]
                      [--sym] [--include REGEX] [--exclude REGEX] [--json]
  npx studio eval MODEL [--tokenizer FILE] [--text FILE] [--windows N] [--json]
  npx studio sweep MODEL --bits 8,4,3 [--block 32,128,per-channel] [--sym both|yes|no]
                   [--include REGEX] [--exclude REGEX] [--windows N] [--tokenizer FILE] [--text FILE] --json

MODEL is an .onnx file (external data and tokenizer.json are taken from beside it) or its folder.
quantize defaults: block 32, asymmetric, every MatMul weight (output head included). REGEX is a
JavaScript regular expression tested against the layer name and the tensor name; --exclude wins.
eval/sweep: perplexity by docs/EVAL.md (wikitext2-w256, default W=16) with onnxruntime-node; the
tokenizer defaults to tokenizer.json beside MODEL (or in its parent folder), the text to the
bundled wikitext-2 excerpt. sweep prints one JSON line per finished point, then a summary.
Exit codes: 0 success, 2 usage error, 1 bad input or failure.`;

function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function onePositional(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes one MODEL path, got ${positionals.length}`);
  return positionals[0];
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'inspect': {
        const { values, positionals } = parse(rest, { json: { type: 'boolean', default: false } });
        await inspectCommand({ model: onePositional(positionals, 'inspect'), json: values.json as boolean });
        return EXIT.ok;
      }
      case 'quantize': {
        const { values, positionals } = parse(rest, {
          out: { type: 'string', short: 'o' },
          bits: { type: 'string' },
          block: { type: 'string' },
          'per-channel': { type: 'boolean', default: false },
          sym: { type: 'boolean', default: false },
          include: { type: 'string' },
          exclude: { type: 'string' },
          json: { type: 'boolean', default: false },
        });
        await quantizeCommand({
          model: onePositional(positionals, 'quantize'),
          out: values.out as string | undefined,
          bits: values.bits as string | undefined,
          block: values.block as string | undefined,
          perChannel: values['per-channel'] as boolean,
          sym: values.sym as boolean,
          include: values.include as string | undefined,
          exclude: values.exclude as string | undefined,
          json: values.json as boolean,
        });
        return EXIT.ok;
      }
      case 'eval': {
        const { values, positionals } = parse(rest, {
          tokenizer: { type: 'string' },
          text: { type: 'string' },
          windows: { type: 'string' },
          json: { type: 'boolean', default: false },
        });
        await evalCommand({ model: onePositional(positionals, 'eval'), ...(values as object), json: values.json as boolean });
        return EXIT.ok;
      }
      case 'sweep': {
        const { values, positionals } = parse(rest, {
          bits: { type: 'string' },
          block: { type: 'string' },
          sym: { type: 'string' },
          include: { type: 'string' },
          exclude: { type: 'string' },
          windows: { type: 'string' },
          tokenizer: { type: 'string' },
          text: { type: 'string' },
          json: { type: 'boolean', default: false },
        });
        await sweepCommand({ model: onePositional(positionals, 'sweep'), ...(values as object), json: values.json as boolean });
        return EXIT.ok;
      }
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${HELP}\n`);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    return reportError(e);
  }
}

const code = await main(process.argv.slice(2));
// Dawn keeps the event loop alive; end explicitly once output is flushed.
process.stdout.write('', () => process.exit(code));
