// The CLI end to end on tiny-llama, as a user runs it: the GPU path (Dawn in Node, SwiftShader
// here) must agree with the CPU reference, the output must load in onnxruntime-node, and the
// JSON shapes are the ones the issue names.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithFixtures, fixturePath } from '../core/testing/fixtures';
import { createNodeLmSession } from '../eval/ort-node';
import { compressFixture } from '../pipeline/exporters/testing/export-fixtures';
import { quantizeRecipe } from '../pipeline/recipe/shorthands';
import { runCli } from './run-cli';

const TINY = ['models', 'tiny-llama', 'onnx', 'model.onnx'];
const tmp = mkdtempSync(join(tmpdir(), 'studio-cli-'));
const tiny = () => fixturePath(...TINY);

describeWithFixtures('studio CLI on tiny-llama', [TINY], () => {
  it('inspect --json prints the model index', async () => {
    const r = await runCli(['inspect', tiny(), '--json']);
    expect(r.code).toBe(0);
    const index = JSON.parse(r.stdout);
    expect(index).toMatchObject({ format: 'onnx', architecture: 'llama', paramCount: 1_836_160 });
    expect(index.tensors.filter((t: { role: string }) => t.role === 'matmul-weight')).toHaveLength(29);
    const q = index.tensors.find((t: { layer: string }) => t.layer === 'model.layers.0.self_attn.q_proj');
    expect(q.layout).toEqual({ rows: 128, cols: 128, rowStride: 1, colStride: 128 });
  });

  it('quantize --json writes a MatMulNBits model whose errors match the CPU reference', async () => {
    const out = join(tmp, 'q4.onnx');
    const r = await runCli(['quantize', tiny(), '-o', out, '--bits', '4', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report).sort()).toEqual(['bitsPerWeight', 'inputBytes', 'outputBytes', 'tensors']);
    expect(report.outputBytes).toBe(statSync(out).size);
    expect(report.inputBytes).toBe(statSync(tiny()).size);
    expect(report.bitsPerWeight).toBeCloseTo(5.125, 10);
    // Every tensor rules can see: the 29 matmul weights quantized by rule 0, the embedding kept (no rule).
    expect(report.tensors).toHaveLength(30);
    const quantized = report.tensors.filter((t: { method: string }) => t.method === 'rtn');
    expect(quantized).toHaveLength(29);
    expect(quantized[0]).toEqual({
      name: expect.any(String), layer: expect.any(String), rule: 0, method: 'rtn', bits: 4, storedBits: 4, group: 32,
      encoding: 'matmul-nbits', bytes: expect.any(Number), relError: expect.any(Number),
    });
    expect(report.tensors.find((t: { method: string }) => t.method === 'keep')).toMatchObject({ layer: 'model.embed_tokens', rule: null, relError: null });
    const ref = await compressFixture('tiny-llama', 'onnx/model.onnx', quantizeRecipe({ bits: '4', perChannel: false, sym: false }), 'onnx');
    for (const [i, t] of ref.report.tensors.entries()) {
      expect(report.tensors[i].name).toBe(t.name);
      if (t.relError !== null) expect(Math.abs(report.tensors[i].relError / t.relError - 1)).toBeLessThan(1e-3);
    }
    const session = await createNodeLmSession(out);
    expect(session.inputNames).toContain('input_ids');
    await session.release();
  });

  it('quantize: 3-bit is stored in 4-bit containers and --exclude wins over --include', async () => {
    const out = join(tmp, 'q3.onnx');
    const r = await runCli(['quantize', tiny(), '-o', out, '--bits', '3', '--per-channel', '--sym', '--include', 'mlp', '--exclude', 'down_proj', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    const quantized = report.tensors.filter((t: { method: string }) => t.method === 'rtn');
    expect(quantized).toHaveLength(8);
    expect(quantized.every((t: { layer: string; bits: number; storedBits: number; group: string }) =>
      /mlp\.(gate|up)_proj/.test(t.layer) && t.bits === 3 && t.storedBits === 4 && t.group === 'per-channel')).toBe(true);
    expect(report.tensors.filter((t: { layer: string; rule: number | null }) => /down_proj/.test(t.layer)).every((t: { rule: number | null }) => t.rule === 0)).toBe(true);
  });

  it('eval --json reproduces EVAL.md (W=16) and sweep prints one line per point and a summary', async () => {
    const e = await runCli(['eval', tiny(), '--json']);
    expect(e.code, e.stderr).toBe(0);
    const ev = JSON.parse(e.stdout);
    expect(ev).toMatchObject({ windows: 16, tokensScored: 16 * 255 });
    expect(Math.abs(ev.ppl / 57.9834 - 1)).toBeLessThan(1e-3);
    expect(ev.tokensPerSecond).toBeGreaterThan(0);

    const s = await runCli(['sweep', tiny(), '--bits', '8,4', '--block', '32,per-channel', '--windows', '2', '--json']);
    expect(s.code, s.stderr).toBe(0);
    const lines = s.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    const points = lines.slice(0, 4);
    expect(points.map((p) => `${p.bits}/${p.block}`)).toEqual(['8/32', '8/per-channel', '4/32', '4/per-channel']);
    for (const p of points) {
      expect(p).toMatchObject({ method: 'rtn', sym: false, windows: 2 });
      expect(p.bytes).toBeGreaterThan(0);
      expect(p.ppl).toBeGreaterThan(1);
    }
    expect(lines[4]).toMatchObject({ summary: true, points: 4, windows: 2 });
  });
});
