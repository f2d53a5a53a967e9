// The protocol's arithmetic and plumbing against a scripted session (no runtime involved).
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import { Tensor } from 'onnxruntime-common';
import { describe, expect, it } from 'vitest';
import { CancelledError, ShapeError, UnsupportedModelError } from '../core/errors';
import type { LmLogits, LmSession } from './lm-session';
import { evaluatePerplexity, windowNll } from './perplexity';

const L = 256;

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FakeOptions {
  vocab?: number;
  layers?: number;
  extraInputs?: string[];
  logits?: (ids: BigInt64Array) => Float32Array;
  metadataShape?: (string | number)[];
}

/** A session shaped like the fixtures' exports that records every feed it gets. */
function fakeSession(o: FakeOptions = {}): LmSession & { calls: Record<string, OrtTensor>[] } {
  const vocab = o.vocab ?? 16;
  const cache = Array.from({ length: o.layers ?? 2 }, (_, i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`]).flat();
  const inputNames = ['input_ids', 'attention_mask', 'position_ids', ...cache, ...(o.extraInputs ?? [])];
  const inputMetadata: InferenceSession.ValueMetadata[] = cache.map((name) => ({
    name,
    isTensor: true,
    type: 'float32',
    shape: o.metadataShape ?? ['batch_size', 2, 'past_sequence_length', 8],
  }));
  const calls: Record<string, OrtTensor>[] = [];
  return {
    inputNames,
    outputNames: ['logits'],
    inputMetadata,
    executionProvider: 'fake',
    calls,
    async run(feeds): Promise<LmLogits> {
      calls.push({ ...feeds });
      const ids = feeds.input_ids.data as BigInt64Array;
      return { data: o.logits ? o.logits(ids) : new Float32Array(L * vocab), dims: [1, L, vocab] };
    },
    async runOutputs() {
      throw new Error('perplexity reads no other outputs');
    },
    async release() {},
  };
}

describe('windowNll', () => {
  it('matches a direct float64 log-softmax on random logits', () => {
    const vocab = 37;
    const next = rng(1);
    const logits = Float32Array.from({ length: 5 * vocab }, () => (next() - 0.5) * 20);
    const ids = [3, 7, 0, 36, 12];
    let expected = 0;
    for (let p = 0; p < 4; p++) {
      const row = Array.from(logits.subarray(p * vocab, (p + 1) * vocab));
      const logZ = Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
      expected += logZ - row[ids[p + 1]];
    }
    expect(windowNll(logits, vocab, ids)).toBeCloseTo(expected, 10);
  });

  it('stays finite for large logits (subtracts the row maximum)', () => {
    const logits = Float32Array.from([1000, 0, 1000, 0]);
    expect(windowNll(logits, 2, [0, 1])).toBeCloseTo(1000, 6);
  });
});

describe('evaluatePerplexity (scripted session)', () => {
  const tokens = Int32Array.from({ length: 4 * L + 10 }, (_, i) => (i * 7) % 16);

  it('gives ppl = vocab for uniform logits, and the counts of the protocol', async () => {
    const result = await evaluatePerplexity(fakeSession({ vocab: 16 }), tokens, { windows: 4 });
    expect(result.ppl).toBeCloseTo(16, 10);
    expect(result.windows).toBe(4);
    expect(result.tokensScored).toBe(4 * 255);
    expect(result.nllPerWindow).toHaveLength(4);
    expect(result.nllPerWindow[0]).toBeCloseTo(Math.log(16), 12);
    expect(result.protocol).toBe('wikitext2-w256');
    expect(result.executionProvider).toBe('fake');
  });

  it('refuses a NaN perplexity, naming the window and position whose logits are not finite', async () => {
    let run = 0;
    const logits = () => {
      const out = new Float32Array(L * 16);
      if (run++ === 1) out[37 * 16 + 5] = Number.NaN; // window 2, position 37
      return out;
    };
    const err = await evaluatePerplexity(fakeSession({ vocab: 16, logits }), tokens, { windows: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as Error).message).toContain(`not finite in window 2: at position 37 (token ${tokens[L + 37]}), logit 5 is NaN`);
  });

  it('feeds window w = tokens [w·256, (w+1)·256), positions 0..255, a mask of ones and an empty cache', async () => {
    const session = fakeSession();
    await evaluatePerplexity(session, tokens, { windows: 2 });
    expect(session.calls).toHaveLength(2);
    const [first, second] = session.calls;
    expect(Array.from(second.input_ids.data as BigInt64Array, Number)).toEqual(Array.from(tokens.subarray(L, 2 * L)));
    expect(first.input_ids.dims).toEqual([1, L]);
    expect(first.input_ids.type).toBe('int64');
    expect(Array.from(first.position_ids.data as BigInt64Array, Number)).toEqual(Array.from({ length: L }, (_, i) => i));
    expect((first.attention_mask.data as BigInt64Array).every((x) => x === 1n)).toBe(true);
    expect(first['past_key_values.1.value'].dims).toEqual([1, 2, 0, 8]);
    expect(first['past_key_values.0.key'].type).toBe('float32');
  });

  it('scores token p+1 with the logits row p', async () => {
    // Logits put all mass on the next token except at one position: NLL there only.
    const vocab = 16;
    const session = fakeSession({
      vocab,
      logits: (ids) => {
        const out = new Float32Array(L * vocab);
        for (let p = 0; p < L - 1; p++) out[p * vocab + Number(ids[p + 1])] = p === 100 ? 0 : 50;
        return out;
      },
    });
    const result = await evaluatePerplexity(session, tokens, { windows: 1 });
    expect(result.nllPerWindow[0] * 255).toBeCloseTo(Math.log(16), 6);
  });

  it('passes extra feeds on every run and fills no input it covers', async () => {
    const weight = new Tensor('float32', new Float32Array(6), [2, 3]);
    const session = fakeSession({ extraInputs: ['model.layers.0.mlp.up_proj.weight'] });
    await evaluatePerplexity(session, tokens, { windows: 2, extraFeeds: { 'model.layers.0.mlp.up_proj.weight': weight } });
    expect(session.calls.every((c) => c['model.layers.0.mlp.up_proj.weight'] === weight)).toBe(true);
  });

  it('names an input it cannot fill', async () => {
    const session = fakeSession({ extraInputs: ['token_type_ids'] });
    await expect(evaluatePerplexity(session, tokens, { windows: 1 })).rejects.toThrow(UnsupportedModelError);
    await expect(evaluatePerplexity(session, tokens, { windows: 1 })).rejects.toThrow(/input "token_type_ids"/);
  });

  it('asks for cache shapes when the metadata has none, and takes them from the caller', async () => {
    const session = fakeSession({ metadataShape: ['batch', 'heads', 'past', 'dim'] });
    await expect(evaluatePerplexity(session, tokens, { windows: 1 })).rejects.toThrow(/pass options\.cacheShapes/);
    const shape = [1, 4, 0, 16];
    const cacheShapes = Object.fromEntries(session.inputNames.filter((n) => n.startsWith('past')).map((n) => [n, shape]));
    await evaluatePerplexity(session, tokens, { windows: 1, cacheShapes });
    expect(session.calls[0]['past_key_values.0.value'].dims).toEqual(shape);
  });

  it('says how many tokens W windows need when the text is too short', async () => {
    const run = evaluatePerplexity(fakeSession(), tokens, { windows: 5 });
    await expect(run).rejects.toThrow(ShapeError);
    await expect(evaluatePerplexity(fakeSession(), tokens, { windows: 5 })).rejects.toThrow(
      'the evaluation text is too short: 5 windows of 256 tokens need 1280 tokens, but it encodes to 1034 (enough for 4 windows)',
    );
  });

  it('rejects logits that are not one row per position', async () => {
    const session = fakeSession();
    session.run = async () => ({ data: new Float32Array(16), dims: [1, 1, 16] });
    await expect(evaluatePerplexity(session, tokens, { windows: 1 })).rejects.toThrow(/expected logits of shape \[1, 256, vocab\]/);
  });

  it('reports progress after every window and stops with CancelledError when aborted', async () => {
    const session = fakeSession();
    const controller = new AbortController();
    const seen: number[] = [];
    const run = evaluatePerplexity(session, tokens, {
      windows: 4,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.windowsDone);
        expect(p.windowsTotal).toBe(4);
        expect(p.elapsedMs).toBeGreaterThanOrEqual(0);
        if (p.windowsDone === 1) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(CancelledError);
    expect(seen).toEqual([1]);
    expect(session.calls).toHaveLength(1);
  });
});
