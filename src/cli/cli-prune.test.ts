// `studio prune` as a user runs it on tiny-llama: 2:4 then 4-bit with --json (sparsity per tensor
// and overall counted from the weights, bytes and gzip bytes), Wanda on a short calibration, the
// recipe the flags mean, and bad input — a sparsity outside [0, 1), a calibrated method on a GGUF
// (no graph to run), calibration text shorter than one window — each one clear line.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import { runCli } from './run-cli';
import { unbuildableCheckpoint } from './testing/unbuildable-model';

const TINY = ['models', 'tiny-llama'];
const tmp = mkdtempSync(join(tmpdir(), 'studio-prune-'));

describeWithFixtures('studio prune on tiny-llama', [[...TINY, 'onnx', 'model.onnx'], [...TINY, 'gguf', 'model-f32.gguf']], () => {
  const onnx = () => fixturePath(...TINY, 'onnx', 'model.onnx');

  it('2:4 then 4-bit, --json: per-tensor and overall sparsity, bytes and gzip bytes', async () => {
    const out = join(tmp, 'pruned.onnx');
    const run = await runCli(['prune', onnx(), '-o', out, '--method', 'magnitude', '--pattern', '2:4', '--then-bits', '4', '--block', '32', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.outputBytes).toBe(statSync(out).size);
    expect(report.gzipBytes).toBeGreaterThan(0);
    expect(report.gzipBytes).toBeLessThan(report.outputBytes);
    expect(report.sparsity.pruned).toBeGreaterThanOrEqual(0.5);
    expect(report.sparsity.model).toBeGreaterThan(0);
    expect(report.sparsity.model).toBeLessThan(report.sparsity.pruned); // embeddings and the head are dense
    const pruned = report.tensors.filter((t: { prune?: string }) => t.prune === 'magnitude');
    expect(pruned).toHaveLength(28);
    for (const t of pruned) expect(t.sparsity).toBeGreaterThanOrEqual(0.5);
    expect(report.tensors.find((t: { layer: string }) => t.layer === 'lm_head')).toMatchObject({ method: 'keep' });
  });

  it('Wanda calibrates on the bundled text and says how many tokens it used', async () => {
    const out = join(tmp, 'wanda.onnx');
    const run = await runCli(['prune', onnx(), '-o', out, '--method', 'wanda', '--sparsity', '0.5', '--calib-windows', '2', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.calibration).toEqual({ text: 'builtin', windows: 2, tokens: 512, passes: 4 });
    expect(report.sparsity.pruned).toBe(0.5);
    const recipe = await runCli(['prune', onnx(), '-o', out, '--method', 'wanda', '--sparsity', '0.5', '--calib-once', '--print-recipe']);
    expect(JSON.parse(recipe.stdout).calibration).toEqual({ text: 'builtin', windows: 128, sequential: false });
  });

  it('channels: a really narrower checkpoint, with config.json saying the new intermediate_size', async () => {
    const folder = mkdtempSync(join(tmp, 'channels-'));
    const out = join(folder, 'model.safetensors');
    const run = await runCli(['prune', onnx(), '-o', out, '--method', 'channels', '--sparsity', '0.25', '--calib-windows', '2', '--calib-once', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.parameters.mlpWidth).toEqual({ from: 384, to: 288 });
    expect(report.parameters.after).toBe(report.parameters.before - 4 * 3 * 96 * 128);
    expect(report.outputBytes).toBe(statSync(out).size);
    expect(JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')).intermediate_size).toBe(288);
    expect(existsSync(join(folder, 'tokenizer.json'))).toBe(true);
    const pattern = await runCli(['prune', onnx(), '-o', out, '--method', 'channels', '--pattern', '2:4']);
    expect(pattern.code).toBe(2);
    expect(pattern.stderr).toContain('--method channels removes a fraction of each MLP\'s channels: give --sparsity S, not --pattern');
  });

  it('bad input: one clear line each, nothing written', async () => {
    const out = join(tmp, 'bad.onnx');
    const sparsity = await runCli(['prune', onnx(), '-o', out, '--method', 'magnitude', '--sparsity', '1']);
    expect(sparsity.code).toBe(2);
    expect(sparsity.stderr).toContain('--sparsity: prune.sparsity must be a number in [0, 1)');
    const gpt2 = await runCli(['prune', unbuildableCheckpoint(), '-o', join(tmp, 'bad.safetensors'), '--method', 'wanda', '--sparsity', '0.5']);
    expect(gpt2.code).toBe(2);
    expect(gpt2.stderr).toContain('needs calibration, which runs the model\'s ONNX graph; this model has none');
    const shortText = join(tmp, 'short.txt');
    writeFileSync(shortText, 'Only a few words of calibration text.');
    const short = await runCli(['prune', onnx(), '-o', out, '--method', 'wanda', '--sparsity', '0.5', '--calib', shortText, '--calib-windows', '4']);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/the calibration text is too short: 4 windows of 256 tokens need 1024 tokens, but it encodes to \d+ \(enough for 0 windows\)/);
    expect(existsSync(out)).toBe(false);
  });
});
