// Calibration statistics of one linear layer's input, the spec for kernels/linalg/hessian.ts:
// H = 2/count · Σ xᵀx over every token row x (GPTQ's scaling, IST-DASLab gptq.py add_batch, with
// `count` in tokens rather than sequences) and Wanda's per-column Σ x_j². Accumulated in float64.
import { ShapeError } from '../../core/errors';

/** Checks `x` holds `tokens` rows of `cols` values (shared with the GPU wrapper). */
export function checkActivations(x: ArrayLike<number>, tokens: number, cols: number): void {
  if (!Number.isSafeInteger(tokens) || tokens < 0) throw new ShapeError(`tokens must be an integer ≥ 0, got ${tokens}`);
  if (x.length !== tokens * cols) {
    throw new ShapeError(`activations must hold tokens × cols = ${tokens} × ${cols} = ${tokens * cols} values, got ${x.length}`, {
      tokens,
      cols,
      got: x.length,
    });
  }
}

export function checkCols(cols: number): void {
  if (!Number.isSafeInteger(cols) || cols < 1) throw new ShapeError(`cols must be an integer ≥ 1, got ${cols}`);
}

/** Running Σ xᵀx and Σ x² over chunks of activations [tokens][cols] (row-major). Only the upper triangle is summed (H is symmetric); reads mirror it. */
export class HessianAccumulatorRef {
  private readonly sum: Float64Array;
  private tokensSeen = 0;

  constructor(readonly cols: number) {
    checkCols(cols);
    this.sum = new Float64Array(cols * cols);
  }

  /** Tokens seen so far. */
  get count(): number {
    return this.tokensSeen;
  }

  /** Adds `tokens` rows of activations (row-major [tokens][cols]). */
  add(x: ArrayLike<number>, tokens: number): void {
    const n = this.cols;
    checkActivations(x, tokens, n);
    const s = this.sum;
    for (let t = 0; t < tokens; t++) {
      const row = t * n;
      for (let i = 0; i < n; i++) {
        const xi = x[row + i];
        if (xi === 0) continue;
        const out = i * n;
        for (let j = i; j < n; j++) s[out + j] += xi * x[row + j];
      }
    }
    this.tokensSeen += tokens;
  }

  /** H [cols][cols] = 2/count · Σ xᵀx; all zeros before any token. */
  hessian(): Float64Array {
    const scale = this.tokensSeen === 0 ? 0 : 2 / this.tokensSeen;
    const n = this.cols;
    const h = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const v = this.sum[i * n + j] * scale;
        h[i * n + j] = v;
        h[j * n + i] = v;
      }
    }
    return h;
  }

  /** Σ x_j² over all tokens, per column (Wanda's ‖X_j‖₂²). */
  sumSquares(): Float64Array {
    const n = this.cols;
    const out = new Float64Array(n);
    for (let j = 0; j < n; j++) out[j] = this.sum[j * n + j];
    return out;
  }
}
