// llama.cpp's importance-matrix workflow from the command line, as a user runs it:
// `convert … --imatrix FILE` with the matrix llama-imatrix wrote gives the very tensors
// llama-quantize --imatrix wrote (both file formats); `studio imatrix` writes one from the ONNX
// model (or a GGUF's built graph) that convert (and llama-quantize) read back; bad combinations
// fail before any work.
import { mkdtempSync, openAsBlob } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { blobSource } from '../core/byte-source';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import { openGguf, readGgufTensor, type GgufFile } from '../formats/gguf/gguf-reader';
import { importanceOf, readImatrix } from '../formats/imatrix/imatrix-file';
import { dequantizeGgmlRef, quantizeGgmlRef } from '../quant/ggml/ggml-codec';
import { runCli } from './run-cli';

const SMALL = ['models', 'small-llama', 'gguf'];
const IM = [...SMALL, 'llama.cpp-imatrix'];
const TINY = ['models', 'tiny-llama'];
const tmp = mkdtempSync(join(tmpdir(), 'studio-imatrix-'));
const open = async (path: string) => openGguf(blobSource(await openAsBlob(path), path));

/** Tensors whose type and bytes differ between two GGUF files. */
async function differingTensors(a: GgufFile, b: GgufFile): Promise<string[]> {
  expect(a.tensors.map((t) => t.name).sort()).toEqual(b.tensors.map((t) => t.name).sort());
  const out: string[] = [];
  for (const t of b.tensors) {
    const u = a.tensors.find((x) => x.name === t.name)!;
    if (u.type.name !== t.type.name || Buffer.compare(await readGgufTensor(a, u), await readGgufTensor(b, t)) !== 0) out.push(t.name);
  }
  return out;
}

describeWithFixtures('studio convert --imatrix against llama-quantize --imatrix (small-llama)', [[...SMALL, 'model-f16.gguf'], [...IM, 'imatrix.gguf'], [...IM, 'imatrix.dat']], () => {
  for (const [type, pure, file, reference] of [
    ['Q4_K_M', false, 'imatrix.gguf', 'model-Q4_K_M-imatrix.gguf'],
    ['Q4_0', true, 'imatrix.dat', 'model-Q4_0-pure-imatrix.gguf'],
  ] as const) {
    it(`--type ${type}${pure ? ' --pure' : ''} --imatrix ${file}: every tensor equals llama-quantize's`, async () => {
      const out = join(tmp, `small-${type}.gguf`);
      const r = await runCli(['convert', fixturePath(...SMALL, 'model-f16.gguf'), '-o', out, '--type', type, ...(pure ? ['--pure'] : []), '--imatrix', fixturePath(...IM, file)]);
      expect(r.code, r.stderr).toBe(0);
      expect(await differingTensors(await open(out), await open(fixturePath(...IM, reference)))).toEqual([]);
      // The token embedding has no importance (llama-imatrix measures matmul inputs only): no warning for it.
      expect(r.stderr).not.toMatch(/has no importance/);
    }, 300_000);
  }

  it('inspect shows what an importance matrix holds; given as a model, it says what it is and where it goes', async () => {
    const r = await runCli(['inspect', fixturePath(...IM, 'imatrix.gguf'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({ kind: 'imatrix', format: 'gguf', datasets: ['wikitext-2-valid.txt'], chunkCount: 128, chunkSize: 256 });
    expect(info.entries).toHaveLength(56);
    expect(info.entries.find((e: { name: string }) => e.name === 'blk.0.ffn_down.weight')).toEqual({ name: 'blk.0.ffn_down.weight', columns: 768, experts: 1, tokens: 32768 });
    const dat = await runCli(['inspect', fixturePath(...IM, 'imatrix.dat')]);
    expect(dat.code, dat.stderr).toBe(0);
    expect(dat.stdout).toMatch(/imatrix\.dat +\(llama\.cpp importance matrix, legacy \.dat/);
    const asModel = await runCli(['convert', fixturePath(...IM, 'imatrix.gguf'), '-o', join(tmp, 'm.gguf'), '--type', 'Q4_0']);
    expect(asModel.code).toBe(2);
    expect(asModel.stderr).toMatch(/imatrix\.gguf is a llama\.cpp importance matrix, not a model: use it with convert --imatrix \(CLI\) or Load imatrix… \(page\)/);
  });

  it('refuses --imatrix for float types and another model\'s matrix, before writing anything', async () => {
    const im = fixturePath(...IM, 'imatrix.gguf');
    const f16 = await runCli(['convert', fixturePath(...SMALL, 'model-f16.gguf'), '-o', join(tmp, 'x.gguf'), '--type', 'F16', '--imatrix', im]);
    expect(f16.code).toBe(2);
    expect(f16.stderr).toMatch(/--imatrix weighs llama.cpp's quantized types; --type F16 is a float conversion/);
    const st = await runCli(['convert', fixturePath(...SMALL, 'model-f16.gguf'), '-o', join(tmp, 'x.safetensors'), '--imatrix', im]);
    expect(st.code).toBe(2);
    const missing = await runCli(['convert', fixturePath(...SMALL, 'model-f16.gguf'), '-o', join(tmp, 'x.gguf'), '--type', 'Q4_0', '--imatrix', join(tmp, 'nope.gguf')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.gguf: importance matrix not found/);
    const other = await runCli(['convert', fixturePath(...TINY, 'gguf', 'model-f32.gguf'), '-o', join(tmp, 'y.gguf'), '--type', 'Q4_0', '--imatrix', im]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/imatrix\.gguf has \d+ importance values for blk\.0\.\w+\.weight, whose rows have \d+: it was made for another model/);
  }, 120_000);
});

describeWithFixtures('studio imatrix on tiny-llama (ONNX), then convert --imatrix', [[...TINY, 'onnx', 'model.onnx'], [...TINY, 'gguf', 'model-f32.gguf']], () => {
  it('writes an importance matrix that convert applies (and that changes the blocks)', async () => {
    const im = join(tmp, 'tiny-imatrix.gguf');
    const r = await runCli(['imatrix', fixturePath(...TINY, 'onnx', 'model.onnx'), '-o', im, '--calib-windows', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ output: im, windows: 2, tokens: 512, chunkSize: 256 });
    const matrix = await readImatrix(blobSource(await openAsBlob(im), 'tiny-imatrix.gguf'));
    expect([matrix.chunkCount, matrix.chunkSize, matrix.datasets, matrix.legacy]).toEqual([2, 256, ['wikitext-2-valid-excerpt.txt'], false]);
    const names = [...matrix.entries.keys()];
    expect(names).toContain('blk.0.attn_q.weight');
    expect(names).toContain('blk.3.ffn_down.weight');
    expect(names).toContain('output.weight');
    expect(names).not.toContain('token_embd.weight');
    for (const [name, e] of matrix.entries) {
      expect(Array.from(e.counts), name).toEqual([512]);
      expect(e.sums.every((v) => v >= 0 && Number.isFinite(v)), name).toBe(true);
    }
    // q, k and v read the same normalized input: the same importance.
    expect(Array.from(importanceOf(matrix, 'blk.1.attn_k.weight')!)).toEqual(Array.from(importanceOf(matrix, 'blk.1.attn_q.weight')!));

    const src = fixturePath(...TINY, 'gguf', 'model-f32.gguf');
    const plain = join(tmp, 'tiny-q4_0.gguf');
    const weighted = join(tmp, 'tiny-q4_0-imatrix.gguf');
    expect((await runCli(['convert', src, '-o', plain, '--type', 'Q4_0', '--pure'])).code).toBe(0);
    const c = await runCli(['convert', src, '-o', weighted, '--type', 'Q4_0', '--pure', '--imatrix', im]);
    expect(c.code, c.stderr).toBe(0);
    const [p, w, s] = [await open(plain), await open(weighted), await open(src)];
    const changed = await differingTensors(w, p);
    expect(changed).toContain('blk.0.ffn_up.weight');
    expect(changed).not.toContain('token_embd.weight');
    // The weighted file holds exactly what the reference computes from the file's importance.
    const t = s.tensors.find((x) => x.name === 'blk.2.ffn_down.weight')!;
    const x = dequantizeGgmlRef('F32', await readGgufTensor(s, t));
    const expected = quantizeGgmlRef('Q4_0', x, importanceOf(matrix, t.name));
    expect(Buffer.compare(await readGgufTensor(w, t.name), expected)).toBe(0);
  }, 300_000);

  it('computes the matrix of a GGUF on its built graph: the ONNX export\'s matrix', async () => {
    const fromGguf = join(tmp, 'gguf-imatrix.gguf');
    const fromOnnx = join(tmp, 'onnx-imatrix.gguf');
    const g = await runCli(['imatrix', fixturePath(...TINY, 'gguf', 'model-f32.gguf'), '-o', fromGguf, '--calib-windows', '2']);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stderr).toContain('an importance matrix runs the model: built an ONNX graph of model-f32.gguf');
    const o = await runCli(['imatrix', fixturePath(...TINY, 'onnx', 'model.onnx'), '-o', fromOnnx, '--calib-windows', '2']);
    expect(o.code, o.stderr).toBe(0);
    const [a, b] = await Promise.all([fromGguf, fromOnnx].map(async (p) => readImatrix(blobSource(await openAsBlob(p), p))));
    expect([...a.entries.keys()].sort()).toEqual([...b.entries.keys()].sort());
    for (const [name, e] of b.entries) {
      const ours = a.entries.get(name)!.sums;
      const worst = e.sums.reduce((m, v, i) => Math.max(m, Math.abs(ours[i] - v) / Math.max(v, 1e-6)), 0);
      expect(worst, name).toBeLessThan(1e-3);
    }
  }, 300_000);
});
