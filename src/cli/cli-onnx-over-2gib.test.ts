// An ONNX export really past protobuf's 2 GiB, loaded by onnxruntime-node. `convert DIR -o
// model.onnx` of a float32 checkpoint whose embedding and lm_head are 1.15 GB each (vocab 280000
// × hidden 1024; 2.29 GB of graph in all) — the other tests reach the limit by setting it low. The
// checkpoint is made here and sparse: past the 64 token rows the test uses, both matrices are file
// holes (zeros), so it costs little disk to make; the export is written out in full. The check:
// the files are named as transformers.js expects and each is within 2 GiB; onnxruntime loads and
// runs them; the logits of the used tokens equal those of the same model with a 64-token vocab,
// and every other logit is 0 (its lm_head row is).
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { seededWeights } from '../kernels/quant/rtn-compare';
import { forward } from '../pipeline/testing/decoder-forward';
import { runCli } from './run-cli';

const tmp = mkdtempSync(join(tmpdir(), 'studio-over-2gib-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HIDDEN = 1024;
const INTERMEDIATE = 512;
const HEADS = 8;
const KV_HEADS = 4;
const USED_TOKENS = 64;
const BIG_VOCAB = 280_000;
const TWO_GIB = 2 ** 31;

interface TensorPart {
  name: string;
  shape: number[];
  /** The first values of the tensor (row-major); the rest of it is zeros (a hole in the file). */
  values: Float32Array;
}

/** Every tensor of a 1-layer Llama with `vocab` tokens: the same seeded values for any vocab. */
function tensors(vocab: number): TensorPart[] {
  const headDim = HIDDEN / HEADS;
  const kv = KV_HEADS * headDim;
  const dense = (name: string, rows: number, cols: number, seed: number): TensorPart => ({ name, shape: [rows, cols], values: seededWeights(rows * cols, seed).map((v) => v * 0.05) });
  const ones = (name: string): TensorPart => ({ name, shape: [HIDDEN], values: new Float32Array(HIDDEN).fill(1) });
  const rowsOfVocab = (name: string, seed: number): TensorPart => ({ name, shape: [vocab, HIDDEN], values: seededWeights(USED_TOKENS * HIDDEN, seed) });
  const l = 'model.layers.0';
  return [
    dense(`${l}.self_attn.q_proj.weight`, HIDDEN, HIDDEN, 1),
    dense(`${l}.self_attn.k_proj.weight`, kv, HIDDEN, 2),
    dense(`${l}.self_attn.v_proj.weight`, kv, HIDDEN, 3),
    dense(`${l}.self_attn.o_proj.weight`, HIDDEN, HIDDEN, 4),
    dense(`${l}.mlp.gate_proj.weight`, INTERMEDIATE, HIDDEN, 5),
    dense(`${l}.mlp.up_proj.weight`, INTERMEDIATE, HIDDEN, 6),
    dense(`${l}.mlp.down_proj.weight`, HIDDEN, INTERMEDIATE, 7),
    ones(`${l}.input_layernorm.weight`),
    ones(`${l}.post_attention_layernorm.weight`),
    ones('model.norm.weight'),
    rowsOfVocab('model.embed_tokens.weight', 8),
    rowsOfVocab('lm_head.weight', 9),
  ];
}

/** A checkpoint folder (config.json + model.safetensors, F32) whose tensors past their given values are holes. */
async function writeCheckpoint(dir: string, vocab: number): Promise<string> {
  const parts = tensors(vocab);
  const entries: Record<string, unknown> = {};
  let offset = 0;
  for (const p of parts) {
    const bytes = p.shape.reduce((a, b) => a * b, 4);
    entries[p.name] = { dtype: 'F32', shape: p.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const raw = JSON.stringify(entries);
  const json = new TextEncoder().encode(raw.padEnd(Math.ceil(raw.length / 8) * 8, ' ')); // data starts 8-aligned
  const head = new Uint8Array(8 + json.byteLength);
  new DataView(head.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  head.set(json, 8);
  const path = join(dir, 'model.safetensors');
  const file = await open(path, 'w');
  try {
    await file.write(head, 0, head.byteLength, 0);
    for (const p of parts) {
      const [start] = (entries[p.name] as { data_offsets: number[] }).data_offsets;
      await file.write(new Uint8Array(p.values.buffer), 0, p.values.byteLength, head.byteLength + start);
    }
    await file.truncate(head.byteLength + offset);
  } finally {
    await file.close();
  }
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: HIDDEN, intermediate_size: INTERMEDIATE, num_hidden_layers: 1,
      num_attention_heads: HEADS, num_key_value_heads: KV_HEADS, vocab_size: vocab, rms_norm_eps: 1e-5, rope_theta: 10000,
      max_position_embeddings: 2048, tie_word_embeddings: false, torch_dtype: 'float32', bos_token_id: 1, eos_token_id: 2,
    }),
  );
  return dir;
}

describe('an ONNX export past 2 GiB', () => {
  it('convert -o model.onnx: 2.29 GB of graph in two data files that onnxruntime-node loads and runs as the small model', async () => {
    const big = await writeCheckpoint(mkdtempSync(join(tmp, 'big-')), BIG_VOCAB);
    const small = await writeCheckpoint(mkdtempSync(join(tmp, 'small-')), USED_TOKENS);
    const out = mkdtempSync(join(tmp, 'out-'));
    const r = await runCli(['convert', big, '-o', join(out, 'model.onnx'), '--device', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    const sizes = Object.fromEntries(readdirSync(out).map((f) => [f, statSync(join(out, f)).size]));
    expect(Object.keys(sizes).sort()).toEqual(['model.onnx', 'model.onnx_data', 'model.onnx_data_1']);
    const total = Object.values(sizes).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(2 * BIG_VOCAB * HIDDEN * 4);
    expect(total).toBeGreaterThan(TWO_GIB);
    for (const size of Object.values(sizes)) expect(size).toBeLessThanOrEqual(TWO_GIB);
    const smallOut = join(mkdtempSync(join(tmp, 'small-out-')), 'model.onnx');
    expect((await runCli(['convert', small, '-o', smallOut, '--device', 'cpu'])).code).toBe(0);

    const tokens = [1, 17, 5, 63, 40, 2, 33, 9];
    const bigSession = await ort.InferenceSession.create(join(out, 'model.onnx'), { executionProviders: ['cpu'] });
    const bigLogits = (await forward(bigSession, tokens)).logits;
    await bigSession.release();
    const smallLogits = (await forward(await ort.InferenceSession.create(smallOut, { executionProviders: ['cpu'] }), tokens)).logits;
    expect(bigLogits.length).toBe(tokens.length * BIG_VOCAB);
    let worst = 0;
    let scale = 0;
    let nonZeroBeyond = 0;
    for (let t = 0; t < tokens.length; t++) {
      for (let v = 0; v < USED_TOKENS; v++) {
        const want = smallLogits[t * USED_TOKENS + v];
        worst = Math.max(worst, Math.abs(bigLogits[t * BIG_VOCAB + v] - want));
        scale = Math.max(scale, Math.abs(want));
      }
      for (let v = USED_TOKENS; v < BIG_VOCAB; v++) if (bigLogits[t * BIG_VOCAB + v] !== 0) nonZeroBeyond++;
    }
    expect(scale).toBeGreaterThan(0.1);
    expect(worst / scale).toBeLessThan(1e-5);
    expect(nonZeroBeyond).toBe(0);
  }, 600_000);
});
