// llama.cpp as a test peer (node-llama-cpp ships its prebuilt CPU build inside the npm package, so
// it runs offline): open it, and score windows of token ids as docs/EVAL.md does (each window of
// L = 256 alone from position 0; llama.cpp's next-token probabilities are the softmax).
export type Llama = Awaited<ReturnType<typeof import('node-llama-cpp')['getLlama']>>;
type Token = import('node-llama-cpp').Token;

const L = 256;

export async function openLlama(): Promise<Llama> {
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  return getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
}

/** Mean NLL per scored token over the first `windows` windows (default 2), as llama.cpp computes it. */
export async function llamaCppNll(llama: Llama, path: string, ids: Int32Array, windows = 2): Promise<number> {
  const model = await llama.loadModel({ modelPath: path });
  const context = await model.createContext({ contextSize: L, batchSize: L });
  try {
    const sequence = context.getSequence();
    let nll = 0;
    for (let w = 0; w < windows; w++) {
      await sequence.clearHistory();
      const window = Array.from(ids.subarray(w * L, (w + 1) * L)) as Token[];
      const out = await sequence.controlledEvaluate(
        window.slice(0, L - 1).map((t): [Token, { generateNext: { probabilities: true } }] => [t, { generateNext: { probabilities: true } }]),
      );
      for (let i = 0; i < L - 1; i++) nll -= Math.log(out[i]!.next!.probabilities!.get(window[i + 1])!);
    }
    return nll / (windows * (L - 1));
  } finally {
    await context.dispose();
    await model.dispose();
  }
}
