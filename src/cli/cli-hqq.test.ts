// `studio quantize --method hqq` as a user runs it on tiny-llama: the recipe the flags mean (block
// 64 by default, float zero points, integer at 8 bits), a file onnxruntime runs whose report notes
// where float zero points run, and flag mistakes — each one clear line.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import { runCli } from './run-cli';

const TINY = ['models', 'tiny-llama'];
const tmp = mkdtempSync(join(tmpdir(), 'studio-hqq-'));

describeWithFixtures('studio quantize --method hqq on tiny-llama', [[...TINY, 'onnx', 'model.onnx'], [...TINY, 'tokenizer.json']], () => {
  const onnx = () => fixturePath(...TINY, 'onnx', 'model.onnx');

  it('--print-recipe: block 64, float zero points below 8 bits, integer at 8', async () => {
    const four = await runCli(['quantize', onnx(), '-o', join(tmp, 'x.onnx'), '--method', 'hqq', '--bits', '4', '--print-recipe']);
    expect(four.code, four.stderr).toBe(0);
    expect(JSON.parse(four.stdout).rules[0].quantize).toEqual({ method: 'hqq', bits: 4, group: 64, symmetric: false, zeroPoint: 'float', iterations: 20, lpNorm: 0.7, beta: 10, kappa: 1.01 });
    const eight = await runCli(['quantize', onnx(), '-o', join(tmp, 'x.onnx'), '--method', 'hqq', '--bits', '8', '--per-channel', '--print-recipe']);
    expect(JSON.parse(eight.stdout).rules[0].quantize).toMatchObject({ bits: 8, group: 'per-channel', zeroPoint: 'integer' });
  });

  it('writes MatMulNBits with float zero points that onnxruntime runs, and says where they run', async () => {
    const out = join(tmp, 'hqq.onnx');
    const r = await runCli(['quantize', onnx(), '-o', out, '--method', 'hqq', '--bits', '4', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.outputBytes).toBe(statSync(out).size);
    expect(report.tensors.filter((t: { method: string }) => t.method === 'hqq')).toHaveLength(29);
    expect(report.notes.join('\n')).toContain("float zero points (HQQ) run on onnxruntime's CPU and wasm execution providers");
    const run = await runCli(['eval', out, '--tokenizer', fixturePath(...TINY, 'tokenizer.json'), '--windows', '2', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(Number.isFinite(JSON.parse(run.stdout).ppl)).toBe(true);
  }, 120_000);

  it('flag mistakes: --sym, --zero-point without hqq, float zero points at 8 bits, calibration flags', async () => {
    const cases: [string[], string][] = [
      [['--method', 'hqq', '--bits', '4', '--sym'], '--sym does not go with --method hqq'],
      [['--bits', '4', '--zero-point', 'float'], '--zero-point goes with --method hqq'],
      [['--method', 'hqq', '--bits', '8', '--zero-point', 'float'], '--zero-point: 8-bit HQQ needs integer zero points'],
      [['--method', 'hqq', '--bits', '4', '--calib-windows', '4'], '--calib* go with --method gptq or awq (hqq needs no calibration)'],
      [['--method', 'bnb', '--bits', '4'], '--method must be rtn, gptq, awq or hqq, got "bnb"'],
    ];
    for (const [flags, message] of cases) {
      const r = await runCli(['quantize', onnx(), '-o', join(tmp, 'y.onnx'), ...flags]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});
