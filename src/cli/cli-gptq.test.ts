// `studio quantize --method gptq` as a user runs it on tiny-llama: calibration on the bundled text
// (tokens said in the JSON), every matmul weight GPTQ-quantized into MatMulNBits, the export
// evaluated by `studio eval` (onnxruntime-node) next to the rtn export of the same grid, the
// recipe the flags mean, a GPTQ-packed safetensors checkpoint with its config.json, GPTQ on
// llama.cpp's Q4_0 grid into GGUF (--type), and flag
// mistakes and a model without a graph — each one clear line.
import { mkdtempSync, openAsBlob, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { blobSource } from '../core/byte-source';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import { openGguf } from '../formats/gguf/gguf-reader';
import { runCli } from './run-cli';
import { unbuildableCheckpoint } from './testing/unbuildable-model';

const TINY = ['models', 'tiny-llama'];
const tmp = mkdtempSync(join(tmpdir(), 'studio-gptq-'));

describeWithFixtures('studio quantize --method gptq on tiny-llama', [[...TINY, 'onnx', 'model.onnx'], [...TINY, 'gguf', 'model-f32.gguf']], () => {
  const onnx = () => fixturePath(...TINY, 'onnx', 'model.onnx');
  const evalPpl = async (file: string) => {
    const run = await runCli(['eval', file, '--tokenizer', fixturePath(...TINY, 'tokenizer.json'), '--windows', '4', '--json']);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout).ppl as number;
  };

  it('3-bit/128: calibrates, writes MatMulNBits that onnxruntime runs, and says how many tokens it used', async () => {
    const out = join(tmp, 'gptq.onnx');
    const run = await runCli(['quantize', onnx(), '-o', out, '--method', 'gptq', '--bits', '3', '--block', '128', '--calib-windows', '8', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.outputBytes).toBe(statSync(out).size);
    expect(report.calibration).toEqual({ text: 'builtin', windows: 8, tokens: 8 * 256, passes: 5 });
    const quantized = report.tensors.filter((t: { method: string }) => t.method === 'gptq');
    expect(quantized).toHaveLength(29); // every matmul weight, the output head included
    for (const t of quantized) expect(t).toMatchObject({ bits: 3, storedBits: 4, group: 128 });
    expect(report.tensors.find((t: { layer: string }) => /embed/.test(t.layer))).toMatchObject({ method: 'keep' });

    const rtnOut = join(tmp, 'rtn.onnx');
    expect((await runCli(['quantize', onnx(), '-o', rtnOut, '--bits', '3', '--block', '128'])).code).toBe(0);
    const [original, gptq, rtn] = [await evalPpl(onnx()), await evalPpl(out), await evalPpl(rtnOut)];
    console.log(`tiny-llama W=4: original ${original.toFixed(4)}, rtn 3-bit/128 ${rtn.toFixed(4)}, gptq 3-bit/128 (8 windows) ${gptq.toFixed(4)}`);
    expect(gptq).toBeLessThan(rtn);
    expect(gptq).toBeGreaterThan(original * 0.98);
  });

  it('--print-recipe shows the recipe; --act-order and --calib-once go into it', async () => {
    const r = await runCli(['quantize', onnx(), '-o', join(tmp, 'x.onnx'), '--method', 'gptq', '--bits', '4', '--act-order', '--calib-once', '--print-recipe']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      recipe: 1,
      calibration: { text: 'builtin', windows: 128, sequential: false },
      rules: [{ match: '.*', role: 'matmul-weight', quantize: { method: 'gptq', bits: 4, group: 32, symmetric: false, damping: 0.01, blocksize: 128, actOrder: true } }],
    });
  });

  it('sweep --methods rtn,gptq --sparsity 0,0.5: rtn and gptq points on one grid, gptq never pruned', async () => {
    const s = await runCli(['sweep', onnx(), '--bits', '3', '--block', '128', '--methods', 'rtn,gptq', '--sparsity', '0,0.5', '--prune-methods', 'wanda', '--calib-windows', '2', '--windows', '2', '--json']);
    expect(s.code, s.stderr).toBe(0);
    const lines = s.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const points = lines.filter((l) => !l.summary);
    expect(points.map((p) => [p.method, p.prune?.method ?? null])).toEqual([['rtn', null], ['rtn', 'wanda'], ['gptq', null]]);
    const [rtn, , gptq] = points;
    expect(gptq.bitsPerWeight).toBe(rtn.bitsPerWeight); // the same grid (the files differ only by the recipe they carry)
    expect(gptq.recipe.calibration).toEqual({ text: 'builtin', windows: 2, sequential: true });
    expect(gptq.ppl).toBeGreaterThan(1);
    for (const p of points) expect(p.kl.mean, p.label).toBeGreaterThan(0); // KL from the original, on the same windows
    expect(gptq.kl.topK).toBe(32);
    const bad = await runCli(['sweep', onnx(), '--bits', '4', '--methods', 'bnb', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--methods values must be rtn, gptq, awq, hqq, got "bnb"');
  });

  it('-o model.safetensors: a GPTQ-packed checkpoint with quantization_config in config.json, which inspect reads back', async () => {
    const folder = mkdtempSync(join(tmp, 'st-'));
    const out = join(folder, 'model.safetensors');
    const run = await runCli(['quantize', onnx(), '-o', out, '--method', 'gptq', '--bits', '4', '--block', '128', '--sym', '--exclude', 'lm_head', '--calib-windows', '4', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).outputBytes).toBe(statSync(out).size);
    expect(JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')).quantization_config).toEqual({
      quant_method: 'gptq', checkpoint_format: 'gptq', bits: 4, group_size: 128, sym: true, desc_act: false, static_groups: false,
      true_sequential: true, damp_percent: 0.01, meta: { quantizer: ['compression-studio'] },
    });
    const inspect = await runCli(['inspect', out, '--json']);
    expect(inspect.code, inspect.stderr).toBe(0);
    const tensors = JSON.parse(inspect.stdout).tensors as { dtype: string; role: string }[];
    expect(tensors.filter((t) => t.dtype === 'gptq4' && t.role === 'matmul-weight')).toHaveLength(28);
  });

  it('--type Q4_0 -o OUT.gguf: GPTQ on llama.cpp\'s Q4_0 grid, an ordinary Q4_0 GGUF', async () => {
    const out = join(tmp, 'gptq-q4_0.gguf');
    const run = await runCli(['quantize', onnx(), '-o', out, '--method', 'gptq', '--type', 'Q4_0', '--exclude', 'lm_head', '--calib-windows', '4', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.outputBytes).toBe(statSync(out).size);
    const quantized = report.tensors.filter((t: { method: string }) => t.method === 'gptq');
    expect(quantized).toHaveLength(28);
    const gguf = await openGguf(blobSource(await openAsBlob(out), out));
    expect(gguf.tensors.filter((t) => t.type.name === 'Q4_0')).toHaveLength(28);
  });

  it('bad input: one clear line each', async () => {
    const out = join(tmp, 'bad.onnx');
    const method = await runCli(['quantize', onnx(), '-o', out, '--method', 'bnb', '--bits', '4']);
    expect(method.code).toBe(2);
    expect(method.stderr).toContain('--method must be rtn, gptq, awq or hqq, got "bnb"');
    const actOrder = await runCli(['quantize', onnx(), '-o', out, '--bits', '4', '--act-order']);
    expect(actOrder.code).toBe(2);
    expect(actOrder.stderr).toContain('--act-order goes with --method gptq');
    const gpt2 = await runCli(['quantize', unbuildableCheckpoint(), '-o', join(tmp, 'bad.safetensors'), '--method', 'gptq', '--bits', '4']);
    expect(gpt2.code).toBe(2);
    expect(gpt2.stderr).toContain('needs calibration, which runs the model\'s ONNX graph; this model has none (use method "rtn")');
    const withBits = await runCli(['quantize', onnx(), '-o', join(tmp, 'bad.gguf'), '--method', 'gptq', '--type', 'Q4_0', '--bits', '4']);
    expect(withBits.stderr).toContain('--bits does not go with --type (the llama.cpp type is the grid)');
    const rtnType = await runCli(['quantize', onnx(), '-o', join(tmp, 'bad.gguf'), '--type', 'Q4_0']);
    expect(rtnType.stderr).toContain('--type goes with --method gptq or awq');
    const kquant = await runCli(['quantize', onnx(), '-o', join(tmp, 'bad.gguf'), '--method', 'gptq', '--type', 'Q4_K']);
    expect(kquant.code).toBe(2);
    expect(kquant.stderr).toContain('its rows of 128 are not a multiple of the Q4_K block of 256');
  });
});
