// A Hugging Face checkpoint or a GGUF through the CLI as if it were an ONNX export: `convert
// -o OUT.onnx` writes the built graph; eval, quantize to ONNX and calibrated methods build it
// themselves (said on stderr). On tiny-llama, whose safetensors hold the export's own float32
// weights, the results equal those of the fixture's PyTorch-exported model.onnx.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import { runCli } from './run-cli';

const DIR = ['models', 'tiny-llama'];
const tmp = mkdtempSync(join(tmpdir(), 'studio-graph-cli-'));
const path = (...p: string[]) => fixturePath(...DIR, ...p);
const TOKENIZER = ['--tokenizer', path('tokenizer.json')];

async function ppl(model: string, windows = 4, extra: string[] = TOKENIZER): Promise<{ ppl: number; stderr: string }> {
  const r = await runCli(['eval', model, '--windows', String(windows), '--json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return { ppl: JSON.parse(r.stdout).ppl, stderr: r.stderr };
}

describeWithFixtures('the CLI builds the ONNX graph of checkpoints and GGUFs', [[...DIR, 'model.safetensors'], [...DIR, 'gguf', 'model-f32.gguf'], [...DIR, 'onnx', 'model.onnx']], () => {
  it('convert model.safetensors -o model.onnx: the graph has the export\'s perplexity', async () => {
    const out = join(tmp, 'built.onnx');
    const r = await runCli(['convert', path('model.safetensors'), '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*built\.onnx: 7\.\d\d MiB, float32 ONNX decoder graph of model\.safetensors/);
    const [built, exported] = [await ppl(out), await ppl(path('onnx', 'model.onnx'))];
    expect(Math.abs(built.ppl / exported.ppl - 1)).toBeLessThan(1e-5);
    expect(readdirSync(tmp).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('sweep --gguf-types on a lone GGUF (no config.json, no tokenizer.json): its llama.cpp point is sized like the file convert --type writes', async () => {
    const folder = mkdtempSync(join(tmp, 'gguf-sweep-'));
    const model = join(folder, 'model-f32.gguf');
    copyFileSync(path('gguf', 'model-f32.gguf'), model);
    const s = await runCli(['sweep', model, '--bits', '8', '--block', '32', '--sym', 'no', '--gguf-types', 'Q8_0', '--windows', '2', '--json']);
    expect(s.code, s.stderr).toBe(0);
    const points = s.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((p) => !p.summary);
    const gguf = points.find((p) => p.format === 'gguf');
    const rtn = points.find((p) => p.format === 'onnx');
    expect(gguf).toMatchObject({ label: 'llama.cpp Q8_0' });
    const out = join(folder, 'q8.gguf');
    const c = await runCli(['convert', model, '-o', out, '--type', 'Q8_0']);
    expect(c.code, c.stderr).toBe(0);
    // The same Q8_0 tensors; the metadata differs by a few bytes: the point's is written from the
    // config and tokenizer read back from the GGUF, convert copies the GGUF's own (160 bytes here).
    expect(Math.abs(gguf.bytes - statSync(out).size)).toBeLessThan(1024);
    // Q8_0 and rtn 8-bit/32 are nearly lossless: both close to each other.
    expect(Math.abs(gguf.ppl / rtn.ppl - 1)).toBeLessThan(0.01);
  });

  it('eval of a lone GGUF (no config.json, no tokenizer.json) reads both from it and reproduces the reference W=16 perplexity', async () => {
    const folder = mkdtempSync(join(tmp, 'gguf-'));
    copyFileSync(path('gguf', 'model-f32.gguf'), join(folder, 'model-f32.gguf'));
    const r = await ppl(join(folder, 'model-f32.gguf'), 16, []);
    expect(r.stderr).toContain('studio: perplexity runs the model: built an ONNX graph of model-f32.gguf (llama, 7.05 MiB float32)');
    expect(Math.abs(r.ppl / 57.9834 - 1)).toBeLessThan(1e-3);
  });

  it('a sharded checkpoint (its folder: shards, index, config) evaluates like the single file', async () => {
    const folder = mkdtempSync(join(tmp, 'shards-'));
    const r = await runCli(['convert', path('model.safetensors'), '-o', join(folder, 'model.safetensors'), '--dtype', 'f32', '--max-shard-size', '2MB']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(folder).filter((n) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(n)).length).toBeGreaterThan(2);
    const [sharded, single] = [await ppl(folder), await ppl(path('model.safetensors'))];
    expect(sharded.stderr).toContain('built an ONNX graph of model.safetensors.index.json');
    expect(sharded.ppl).toBe(single.ppl);
  });

  it('quantize model.safetensors -o q4.onnx gives the file quantizing the export gives', async () => {
    const fromCheckpoint = join(tmp, 'ckpt-q4.onnx');
    const fromExport = join(tmp, 'export-q4.onnx');
    const a = await runCli(['quantize', path('model.safetensors'), '-o', fromCheckpoint, '--bits', '4', '--block', '32']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toContain('ONNX output puts the weights in a graph: built an ONNX graph of model.safetensors');
    expect(a.stdout).toContain('input 7.01 MiB'); // the checkpoint the user gave, not the temporary graph
    const b = await runCli(['quantize', path('onnx', 'model.onnx'), '-o', fromExport, '--bits', '4', '--block', '32']);
    expect(b.code, b.stderr).toBe(0);
    const [ours, theirs] = [await ppl(fromCheckpoint), await ppl(fromExport)];
    expect(Math.abs(ours.ppl / theirs.ppl - 1)).toBeLessThan(1e-5);
  }, 300_000);

  it('convert -o model.onnx --max-shard-size 3MB: the weights go to model.onnx_data, _data_1, … within the cap, with the same perplexity', async () => {
    const folder = mkdtempSync(join(tmp, 'capped-'));
    const r = await runCli(['convert', path('model.safetensors'), '-o', join(folder, 'model.onnx'), '--max-shard-size', '3MB', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).dataFiles).toEqual(['model.onnx_data', 'model.onnx_data_1', 'model.onnx_data_2']);
    for (const f of readdirSync(folder)) expect(statSync(join(folder, f)).size, f).toBeLessThanOrEqual(3_000_000);
    const [capped, exported] = [await ppl(join(folder, 'model.onnx')), await ppl(path('onnx', 'model.onnx'))];
    expect(Math.abs(capped.ppl / exported.ppl - 1)).toBeLessThan(1e-5);
  });

  it('refuses quantization flags on convert -o OUT.onnx before reading anything', async () => {
    const out = join(tmp, 'never.onnx');
    const r = await runCli(['convert', path('model.safetensors'), '-o', out, '--type', 'Q8_0']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--type is not for ONNX output: convert -o OUT.onnx builds the float graph; quantize it with `studio quantize`');
    expect(existsSync(out)).toBe(false);
  });
});
