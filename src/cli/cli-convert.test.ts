// `studio inspect` on GGUF and safetensors, and `studio convert` end to end on tiny-llama, as a
// user runs them: exit codes, --json summaries, fallback warnings on stderr, sidecar files.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { blobSource } from '../core/byte-source';
import { describeWithFixtures, fixturePath, fixtureSource } from '../core/testing/fixtures';
import { openGguf, readGgufTensor } from '../formats/gguf/gguf-reader';
import { runCli } from './run-cli';
import { openAsBlob } from 'node:fs';

const DIR = ['models', 'tiny-llama'];
const tmp = mkdtempSync(join(tmpdir(), 'studio-convert-'));
const path = (...p: string[]) => fixturePath(...DIR, ...p);

describeWithFixtures('studio inspect/convert on tiny-llama', [[...DIR, 'gguf', 'model-f32.gguf'], [...DIR, 'model.safetensors'], [...DIR, 'onnx', 'model.onnx']], () => {
  it('inspect --json reads GGUF and safetensors', async () => {
    const g = await runCli(['inspect', path('gguf', 'model-f32.gguf'), '--json']);
    expect(g.code, g.stderr).toBe(0);
    expect(JSON.parse(g.stdout)).toMatchObject({ format: 'gguf', architecture: 'llama', paramCount: 1_836_160 });
    const s = await runCli(['inspect', path('model.safetensors'), '--json']);
    expect(s.code, s.stderr).toBe(0);
    const index = JSON.parse(s.stdout);
    expect(index).toMatchObject({ format: 'safetensors', architecture: 'llama', paramCount: 1_836_160 });
    expect(index.tensors.find((t: { name: string }) => t.name === 'model.layers.0.self_attn.k_proj.weight').layout).toEqual({ rows: 64, cols: 128, rowStride: 128, colStride: 1 });
    const text = await runCli(['inspect', path('gguf', 'model-f32.gguf')]);
    expect(text.stdout).toMatch(/model-f32\.gguf\s+\(gguf, /);
  });

  it('convert safetensors → F32 GGUF --json: the summary and the fixture\'s tensors', async () => {
    const out = join(tmp, 'tiny-f32.gguf');
    const r = await runCli(['convert', path('model.safetensors'), '-o', out, '--type', 'F32', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(Object.keys(summary).sort()).toEqual(['bytes', 'fallbacks', 'output', 'tensors']);
    expect(summary).toMatchObject({ output: out, bytes: statSync(out).size, fallbacks: [] });
    expect(summary.tensors[0]).toEqual({ name: 'output.weight', type: 'F32', shape: [4096, 128] });
    const ours = await openGguf(blobSource(await openAsBlob(out), out));
    const theirs = await openGguf(await fixtureSource(...DIR, 'gguf', 'model-f32.gguf'));
    expect(ours.tensors.map((t) => t.name)).toEqual(theirs.tensors.map((t) => t.name));
    const q = theirs.tensors.find((t) => t.name === 'blk.2.attn_q.weight')!;
    expect(Buffer.compare(await readGgufTensor(ours, q.name), await readGgufTensor(theirs, q))).toBe(0);
  });

  it('convert GGUF → Q4_K_S --pure prints llama.cpp\'s fallback warnings', async () => {
    const r = await runCli(['convert', path('gguf', 'model-f32.gguf'), '-o', join(tmp, 'tiny-q4ks.gguf'), '--type', 'Q4_K_S', '--pure']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/blk\.0\.attn_k\.weight - ncols 128 not divisible by 256 \(required for type Q4_K\) -> falling back to Q5_0/);
    expect(r.stderr).toMatch(/WARNING: 30 of 39 tensor\(s\) required fallback quantization/);
    expect(r.stdout).toMatch(/^wrote .*tiny-q4ks\.gguf: .* 39 tensors \(Q5_0, F32\)/);
  });

  it('convert ONNX → sharded bf16 safetensors with index, config.json and tokenizer files', async () => {
    const folder = mkdtempSync(join(tmp, 'st-'));
    const r = await runCli(['convert', path('onnx', 'model.onnx'), '-o', join(folder, 'model.safetensors'), '--dtype', 'bf16', '--max-shard-size', '1MB', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.output).toBe(join(folder, 'model.safetensors.index.json'));
    const index = JSON.parse(readFileSync(summary.output, 'utf8'));
    expect(Object.keys(index.weight_map)).toHaveLength(39);
    for (const f of new Set(Object.values(index.weight_map) as string[])) expect(existsSync(join(folder, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'))).toMatchObject({ dtype: 'bfloat16', model_type: 'llama' });
    expect(existsSync(join(folder, 'tokenizer.json'))).toBe(true);
    expect(existsSync(join(folder, 'tokenizer_config.json'))).toBe(true);
    const again = await runCli(['inspect', folder, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ format: 'safetensors', paramCount: 1_836_160 });
  });

  it('usage errors exit 2, bad input exits 1, each with one line', async () => {
    const u = await runCli(['convert', path('model.safetensors'), '-o', join(tmp, 'x.gguf'), '--dtype', 'f16']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/^studio: error: --dtype and --max-shard-size are for .safetensors output/);
    const t = await runCli(['convert', path('model.safetensors'), '-o', join(tmp, 'x.gguf'), '--type', 'Q4_1']);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/--type Q4_1 is only available with --pure/);
    const o = await runCli(['convert', path('model.safetensors'), '-o', join(tmp, 'x.bin')]);
    expect(o.code).toBe(2);
    const m = await runCli(['convert', join(tmp, 'missing.safetensors'), '-o', join(tmp, 'x.gguf')]);
    expect(m.code).toBe(1);
    expect(m.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(tmp, 'x.gguf'))).toBe(false);
  });
});
