// `studio quantize --method awq` and `studio sweep --methods rtn,awq` as a user runs them on
// tiny-llama: the recipe the flags mean (block 128 by default, calibrated first), a file whose
// norms carry the folded scales and that onnxruntime runs, the report's notes on each weight's
// scales, a sweep with AWQ points beside RTN's, and flag mistakes — each one clear line.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import { runCli } from './run-cli';

const TINY = ['models', 'tiny-llama'];
const tmp = mkdtempSync(join(tmpdir(), 'studio-awq-'));

describeWithFixtures('studio quantize --method awq on tiny-llama', [[...TINY, 'onnx', 'model.onnx'], [...TINY, 'tokenizer.json']], () => {
  const onnx = () => fixturePath(...TINY, 'onnx', 'model.onnx');

  it('--print-recipe: block 128, the search defaults, calibration on the bundled text', async () => {
    const r = await runCli(['quantize', onnx(), '-o', join(tmp, 'x.onnx'), '--method', 'awq', '--bits', '4', '--calib-windows', '4', '--print-recipe']);
    expect(r.code, r.stderr).toBe(0);
    const recipe = JSON.parse(r.stdout);
    expect(recipe.calibration).toEqual({ text: 'builtin', windows: 4, sequential: true });
    expect(recipe.rules.find((x: { quantize?: unknown }) => x.quantize).quantize).toEqual({ method: 'awq', bits: 4, group: 128, symmetric: false, gridPoints: 20, clip: true });
  });

  it('writes a model onnxruntime runs, the norms rewritten, each weight saying what its scales did', async () => {
    const out = join(tmp, 'awq.onnx');
    // Layer 1 alone (the CLI runs the kernels on SwiftShader here, one candidate at a time).
    const r = await runCli(['quantize', onnx(), '-o', out, '--method', 'awq', '--bits', '4', '--block', '32', '--include', 'layers\\.1\\.', '--calib-windows', '4', '--calib-once', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.outputBytes).toBe(statSync(out).size);
    const tensors = report.tensors as { layer: string; method: string; notes: string[] }[];
    expect(tensors.filter((t) => t.method === 'awq')).toHaveLength(7);
    expect(tensors.filter((t) => t.method === 'fold').map((t) => t.layer)).toEqual(['model.layers.1.input_layernorm', 'model.layers.1.post_attention_layernorm']);
    expect(tensors.find((t) => t.layer === 'model.layers.1.mlp.down_proj')!.notes.join('\n')).toMatch(/AWQ scales of model\.layers\.1 down_proj input: α = \d\.\d\d/);
    expect(tensors.find((t) => t.layer === 'model.layers.1.mlp.up_proj')!.notes.join('\n')).toContain('AWQ: rows divided by the scales of model.layers.1 down_proj input');
    const run = await runCli(['eval', out, '--tokenizer', fixturePath(...TINY, 'tokenizer.json'), '--windows', '2', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(Number.isFinite(JSON.parse(run.stdout).ppl)).toBe(true);
  }, 300_000);

  it('sweep --methods rtn,awq: AWQ points beside RTN on the same settings, calibrated once', async () => {
    const r = await runCli(['sweep', onnx(), '--bits', '4', '--block', '32', '--methods', 'rtn,awq', '--include', 'layers\\.0\\.', '--calib-windows', '2', '--windows', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const points = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((l) => !l.summary) as { method: string; ppl: number; kl: { mean: number } }[];
    expect(points.map((p) => p.method).sort()).toEqual(['awq', 'rtn']);
    for (const p of points) expect(p.kl.mean).toBeGreaterThan(0);
  }, 300_000);

  it('flag mistakes: --act-order with awq, an unknown method', async () => {
    const cases: [string[], string][] = [
      [['--method', 'awq', '--bits', '4', '--act-order'], '--act-order goes with --method gptq'],
      [['--method', 'bnb', '--bits', '4'], '--method must be rtn, gptq, awq or hqq, got "bnb"'],
    ];
    for (const [flags, message] of cases) {
      const r = await runCli(['quantize', onnx(), '-o', join(tmp, 'y.onnx'), ...flags]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});
