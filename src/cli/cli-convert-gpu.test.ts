// `studio convert --device gpu` encodes block types with the WGSL kernels (Dawn in Node; SwiftShader here):
// the tensors it writes must be llama-quantize's, byte for byte (tiny-llama, every legacy type);
// and it decodes a quantized GGUF source on the GPU exactly as the references do.
import { mkdtempSync, openAsBlob } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { blobSource } from '../core/byte-source';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import { openGguf, readGgufTensor } from '../formats/gguf/gguf-reader';
import { dequantizeGgmlRef } from '../quant/ggml/ggml-codec';
import { runCli } from './run-cli';

const TINY = ['models', 'tiny-llama', 'gguf'];
const TYPES = ['Q8_0', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1'];
const tmp = mkdtempSync(join(tmpdir(), 'studio-convert-gpu-'));
const open = async (path: string) => openGguf(blobSource(await openAsBlob(path), path));

describeWithFixtures('studio convert on the GPU (tiny-llama)', [[...TINY, 'model-f32.gguf'], ...TYPES.map((t) => [...TINY, 'llama.cpp-quantized', `model-${t}-pure.gguf`])], () => {
  it.each(TYPES)('%s --pure equals llama-quantize tensor for tensor', async (type) => {
    const out = join(tmp, `${type}.gguf`);
    const r = await runCli(['convert', fixturePath(...TINY, 'model-f32.gguf'), '-o', out, '--type', type, '--pure', '--device', 'gpu']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('CPU references');
    const ours = await open(out);
    const theirs = await open(fixturePath(...TINY, 'llama.cpp-quantized', `model-${type}-pure.gguf`));
    expect(ours.tensors.map((t) => `${t.name}:${t.type.name}`).sort()).toEqual(theirs.tensors.map((t) => `${t.name}:${t.type.name}`).sort());
    for (const t of theirs.tensors) {
      const mine = ours.tensors.find((x) => x.name === t.name)!;
      expect(Buffer.compare(Buffer.from(await readGgufTensor(ours, mine)), Buffer.from(await readGgufTensor(theirs, t))), t.name).toBe(0);
    }
  });

  it('decodes a Q4_0 GGUF on the GPU to exactly the reference values (→ F32)', async () => {
    const source = fixturePath(...TINY, 'llama.cpp-quantized', 'model-Q4_0-pure.gguf');
    const out = join(tmp, 'from-q4_0.gguf');
    const r = await runCli(['convert', source, '-o', out, '--type', 'F32', '--device', 'gpu']);
    expect(r.stderr).not.toContain('CPU references');
    expect(r.code, r.stderr).toBe(0);
    const ours = await open(out);
    const theirs = await open(source);
    for (const t of theirs.tensors) {
      const mine = ours.tensors.find((x) => x.name === t.name)!;
      expect(mine.type.name).toBe('F32');
      const expected = dequantizeGgmlRef(t.type.name, await readGgufTensor(theirs, t));
      expect(Buffer.compare(Buffer.from(await readGgufTensor(ours, mine)), Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)), t.name).toBe(0);
    }
  });
});
