// `studio compress --target-bpw / --target-size` as a user runs it on tiny-llama: the recipe the
// budget wrote (--print-recipe, a valid recipe that names every matmul weight once), a file of at
// most the target size that onnxruntime runs, a sweep's size-budget point, and the
// mistakes — a target below the smallest setting, a target with --recipe, a model without a graph — each one clear line.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import { parseRecipe } from '../pipeline/recipe/parse-recipe';
import { runCli } from './run-cli';
import { unbuildableCheckpoint } from './testing/unbuildable-model';

const TINY = ['models', 'tiny-llama'];
const tmp = mkdtempSync(join(tmpdir(), 'studio-budget-'));

describeWithFixtures('studio compress with a size target on tiny-llama', [[...TINY, 'onnx', 'model.onnx'], [...TINY, 'tokenizer.json'], [...TINY, 'gguf', 'model-f32.gguf']], () => {
  const onnx = () => fixturePath(...TINY, 'onnx', 'model.onnx');

  it('--target-bpw --print-recipe: a recipe naming each of the 29 matmul weights once, within the target', async () => {
    const r = await runCli(['compress', onnx(), '-o', join(tmp, 'x.onnx'), '--target-bpw', '4.5', '--calib-windows', '4', '--print-recipe']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/studio: budget 4\.\d+ bits\/weight .* predicted KL/);
    const recipe = parseRecipe(JSON.parse(r.stdout));
    expect(recipe.name).toBe('budget-4.5bpw');
    const named = recipe.rules.flatMap((rule) => rule.match.replace(/^\^\(|\)\$$/g, '').split('|'));
    expect(named).toHaveLength(29);
    expect(new Set(named).size).toBe(29);
    const plan = await runCli(['compress', onnx(), '-o', join(tmp, 'x.onnx'), '--target-bpw', '4.5', '--calib-windows', '4', '--dry-run', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).bitsPerWeight).toBeLessThanOrEqual(4.5);
  }, 300_000);

  it('--target-size: the file is at most that size and onnxruntime runs it', async () => {
    const out = join(tmp, 'budget.onnx');
    const r = await runCli(['compress', onnx(), '-o', out, '--target-size', '3.2MB', '--calib-windows', '4', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(out).size).toBeLessThanOrEqual(3.2e6);
    expect(JSON.parse(r.stdout).outputBytes).toBe(statSync(out).size);
    const run = await runCli(['eval', out, '--tokenizer', fixturePath(...TINY, 'tokenizer.json'), '--windows', '2', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(Number.isFinite(JSON.parse(run.stdout).ppl)).toBe(true);
  }, 300_000);

  it('sweep --budget-bpw: a budget point beside the uniform ones, with the recipe it wrote, within its target', async () => {
    const r = await runCli(['sweep', onnx(), '--bits', '4', '--block', '128', '--budget-bpw', '4.5', '--calib-windows', '4', '--windows', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const [uniform, budget] = lines.filter((l) => !l.summary);
    expect(uniform.method).toBe('rtn');
    expect(budget).toMatchObject({ method: 'budget', label: 'budget 4.5 bits/weight', budget: { bitsPerWeight: 4.5 } });
    expect(budget.bitsPerWeight).toBeLessThanOrEqual(4.5);
    expect(budget.recipe.rules.length).toBeGreaterThan(1);
    expect(budget.kl.mean).toBeGreaterThan(0);
    console.log(`tiny-llama W=2: rtn 4-bit/128 (${uniform.bitsPerWeight} bits/weight) KL ${uniform.kl.mean}, budget 4.5 (${budget.bitsPerWeight}) KL ${budget.kl.mean}`);
  }, 300_000);

  it('says what is wrong: a target below the smallest setting, a target and a recipe, a bad size', async () => {
    const low = await runCli(['compress', onnx(), '-o', join(tmp, 'y.onnx'), '--target-bpw', '1']);
    expect(low.code).not.toBe(0);
    expect(low.stderr).toMatch(/the target is below the smallest the candidates can make: every weight at its smallest setting takes \d+ bytes \(2\.\d+ bits\/weight\)/);
    const both = await runCli(['compress', onnx(), '-o', join(tmp, 'y.onnx'), '--target-bpw', '4', '--recipe', 'r.json']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give --recipe FILE or a size target');
    const gpt2 = await runCli(['compress', unbuildableCheckpoint(), '-o', join(tmp, 'y.gguf'), '--target-bpw', '4']);
    expect(gpt2.code).not.toBe(0);
    expect(gpt2.stderr).toContain('a size budget calibrates and probes by running the model, and no ONNX graph can be built of model.safetensors: config.json: model_type "gpt2" is not an architecture the studio builds');
    const size = await runCli(['compress', onnx(), '-o', join(tmp, 'y.onnx'), '--target-size', 'big']);
    expect(size.code).toBe(2);
    expect(size.stderr).toContain('--target-size must be a size such as 5GB');
  }, 120_000);
});
