// `studio compress` as a user runs it on tiny-llama: the plan (--dry-run --json) is the run's,
// byte for byte, without writing anything; a mixed recipe writes an ONNX whose size the plan said
// and which carries the recipe; a preset's expansion prints as plain rules; an invalid recipe is a
// usage error (exit 2) naming the rule; --print-recipe shows what quantize's flags mean.
import { existsSync, mkdtempSync, openAsBlob, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { blobSource } from '../core/byte-source';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import { openModel } from '../pipeline/open-model';
import { embeddedRecipe } from '../pipeline/recipe/embedded-recipe';
import { ISSUE_RECIPE } from '../pipeline/recipe/testing/recipes';
import { runCli } from './run-cli';

const TINY = ['models', 'tiny-llama'];
const tmp = mkdtempSync(join(tmpdir(), 'studio-compress-'));
const recipeFile = (name: string, recipe: unknown) => {
  const path = join(tmp, name);
  writeFileSync(path, JSON.stringify(recipe));
  return path;
};

describeWithFixtures('studio compress on tiny-llama', [[...TINY, 'onnx', 'model.onnx'], [...TINY, 'gguf', 'model-f32.gguf']], () => {
  const onnx = () => fixturePath(...TINY, 'onnx', 'model.onnx');

  it('--dry-run --json is the plan: the run\'s object without errors, nothing written', async () => {
    const mix = recipeFile('mix.json', ISSUE_RECIPE);
    const out = join(tmp, 'mix.onnx');
    const dry = await runCli(['compress', onnx(), '--recipe', mix, '-o', out, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(existsSync(out)).toBe(false);
    const plan = JSON.parse(dry.stdout);
    expect(Object.keys(plan).sort()).toEqual(['bitsPerWeight', 'inputBytes', 'outputBytes', 'tensors']);
    expect(plan.tensors[0]).not.toHaveProperty('relError');
    expect(plan.tensors.find((t: { layer: string }) => t.layer === 'model.layers.0.mlp.down_proj')).toMatchObject({ rule: 1, method: 'rtn', bits: 8, group: 'per-channel' });
    expect(plan.tensors.find((t: { layer: string }) => t.layer === 'lm_head')).toMatchObject({ rule: 0, method: 'keep' });

    const run = await runCli(['compress', onnx(), '--recipe', mix, '-o', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.outputBytes).toBe(plan.outputBytes);
    expect(statSync(out).size).toBe(plan.outputBytes);
    expect(report.tensors.map((t: { bytes: number }) => t.bytes)).toEqual(plan.tensors.map((t: { bytes: number }) => t.bytes));
    expect(report.tensors.filter((t: { relError: number | null }) => t.relError !== null)).toHaveLength(28);
    const written = await openModel([blobSource(await openAsBlob(out), 'mix.onnx')]);
    expect(embeddedRecipe(written)?.recipe).toEqual(ISSUE_RECIPE);
  });

  it('prints a table by default, a preset\'s expansion with --print-recipe, and what quantize\'s flags mean', async () => {
    const table = await runCli(['compress', onnx(), '--recipe', recipeFile('mix2.json', ISSUE_RECIPE), '-o', join(tmp, 'x.onnx'), '--dry-run']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/model\.layers\.0\.self_attn\.v_proj\s+1\s+rtn 8-bit\/per-channel sym/);
    expect(table.stdout).toMatch(/30 tensors \(28 quantized\)/);
    const expansion = await runCli(['compress', fixturePath(...TINY, 'gguf', 'model-f32.gguf'), '--recipe', recipeFile('q8.json', { recipe: 1, preset: 'Q8_0', rules: [] }), '-o', join(tmp, 'x.gguf'), '--print-recipe']);
    expect(expansion.code, expansion.stderr).toBe(0);
    const expanded = JSON.parse(expansion.stdout);
    expect(expanded.preset).toBeUndefined();
    expect(expanded.rules.map((r: { quantize: { type: string } }) => r.quantize.type)).toEqual(['Q8_0']);
    const flags = await runCli(['quantize', onnx(), '-o', join(tmp, 'y.onnx'), '--bits', '3', '--exclude', 'lm_head', '--print-recipe']);
    expect(flags.code, flags.stderr).toBe(0);
    expect(JSON.parse(flags.stdout)).toEqual({ recipe: 1, rules: [{ match: 'lm_head', keep: true }, { match: '.*', role: 'matmul-weight', quantize: { method: 'rtn', bits: 3, group: 32, symmetric: false } }] });
  });

  it('an invalid recipe, or one the output format cannot hold, is a usage error naming the rule', async () => {
    const bad = await runCli(['compress', onnx(), '--recipe', recipeFile('bad.json', { recipe: 1, rules: [{ match: '.*', quantize: { method: 'rtn', bits: 5 } }] }), '-o', join(tmp, 'z.onnx')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('rule 0: quantize.bits must be 2, 3, 4 or 8 for rtn; got 5');
    const format = await runCli(['compress', onnx(), '--recipe', recipeFile('gguf.json', { recipe: 1, rules: [{ match: '.*', quantize: { method: 'ggml', type: 'Q8_0' } }] }), '-o', join(tmp, 'z.onnx')]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('rule 0 (ggml Q8_0) cannot be written to ONNX');
    const missing = await runCli(['compress', onnx(), '--recipe', join(tmp, 'absent.json'), '-o', join(tmp, 'z.onnx')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('absent.json: recipe file not found');
    expect(existsSync(join(tmp, 'z.onnx'))).toBe(false);
  });
});
