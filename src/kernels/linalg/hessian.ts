// Wrapper for shaders/linalg/hessian-accumulate.wgsl: HessianAccumulatorRef's statistics
// (src/quant/linalg/hessian.ts; H = 2/count · Σxᵀx as GPTQ's add_batch, Σx_j² as Wanda) with the
// running float32 sum S = Σxᵀx kept on the GPU between add() calls; each chunk is uploaded once.
// read() scales S by 2/count (one float32 rounding) and takes Σx_j² from its diagonal. Bytes unless named.
import shaderCode from '../../../shaders/linalg/hessian-accumulate.wgsl?raw';
import { GpuLimitError, throwIfAborted } from '../../core/errors';
import { createBuffer, destroyBuffers, readBuffers, uploadBytes, withGpuErrorScopes } from '../../gpu/buffers';
import type { GpuContext } from '../../gpu/context';
import { checkActivations, checkCols } from '../../quant/linalg/hessian';
import { checkBindingSize, checkWorkgroupSize, compileKernel, type Kernel, PassRecorder, tileGrid } from './passes';

export const HESSIAN_ACCUMULATE_SHADER = shaderCode;
const TILE = 16;
const WG_SIZE = TILE * TILE;
/** Tokens per dispatch at most, so that one dispatch stays short on a real GPU. */
const MAX_TOKENS_PER_DISPATCH = 2048;

export interface HessianGpuPlan {
  cols: number;
  sumBytes: number;
  /** Tokens uploaded and accumulated per dispatch (bounded by the binding limit). */
  tokensPerDispatch: number;
  grid: [number, number];
}

/** Checks cols against the device limits; touches no GPU object. */
export function planHessianGpu(ctx: GpuContext, cols: number): HessianGpuPlan {
  checkCols(cols);
  const sumBytes = cols * cols * 4;
  checkBindingSize(ctx, sumBytes, `a ${cols}×${cols} Hessian`);
  checkWorkgroupSize(ctx, WG_SIZE, 'Hessian accumulation');
  const grid = tileGrid(ctx, cols, cols, TILE, `a ${cols}×${cols} Hessian`);
  const rowBytes = cols * 4;
  const fit = Math.floor(Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize) / rowBytes);
  if (fit < 1) throw new GpuLimitError(`one token of ${cols} activations (${rowBytes} bytes) does not fit a GPU binding`);
  return { cols, sumBytes, tokensPerDispatch: Math.min(fit, MAX_TOKENS_PER_DISPATCH), grid };
}

/** Params in struct order (shaders/linalg/hessian-accumulate.wgsl `Params`). */
function packParams(cols: number, tokens: number): ['u32', number][] {
  return [
    ['u32', cols],
    ['u32', tokens],
  ];
}

/** Calibration statistics of one layer's input, accumulated on the GPU in float32. */
export class HessianAccumulatorGpu {
  private tokensSeen = 0;
  private chunk: GPUBuffer | null = null;
  private chunkBytes = 0;
  private kernel: Promise<Kernel> | null = null;
  /** add() and read() run one after another, in call order. */
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly ctx: GpuContext,
    private readonly plan: HessianGpuPlan,
    private readonly sum: GPUBuffer,
  ) {}

  /** Allocates the zeroed cols × cols sum (ShapeError / GpuLimitError before any GPU object). */
  static create(ctx: GpuContext, cols: number): HessianAccumulatorGpu {
    const plan = planHessianGpu(ctx, cols);
    const sum = createBuffer(ctx, plan.sumBytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'hessian sum');
    return new HessianAccumulatorGpu(ctx, plan, sum);
  }

  get cols(): number {
    return this.plan.cols;
  }

  /** Tokens accumulated so far. */
  get count(): number {
    return this.tokensSeen;
  }

  /**
   * Adds `tokens` rows of activations x [tokens][cols]. The signal is checked before any work;
   * once the chunk is on its way it is accumulated whole.
   */
  add(x: Float32Array, tokens: number, signal?: AbortSignal): Promise<void> {
    try {
      checkActivations(x, tokens, this.plan.cols);
      throwIfAborted(signal);
    } catch (e) {
      return Promise.reject(e);
    }
    const run = this.tail.then(() => this.addNow(x, tokens, signal));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async addNow(x: Float32Array, tokens: number, signal: AbortSignal | undefined): Promise<void> {
    throwIfAborted(signal);
    if (tokens === 0) return;
    const { ctx, plan } = this;
    this.kernel ??= compileKernel(ctx, 'linalg/hessian-accumulate', shaderCode, ['read-only-storage', 'storage'], { WG_SIZE, TILE });
    const kernel = await this.kernel;
    throwIfAborted(signal);
    const cols = plan.cols;
    await withGpuErrorScopes(ctx, `accumulating a ${cols}×${cols} Hessian`, async () => {
      const pieceTokens = Math.min(tokens, plan.tokensPerDispatch);
      this.ensureChunk(pieceTokens * cols * 4);
      const bytes = new Uint8Array(x.buffer, x.byteOffset, tokens * cols * 4);
      const pieces: PassRecorder[] = [];
      try {
        for (let t0 = 0; t0 < tokens; t0 += pieceTokens) {
          const n = Math.min(pieceTokens, tokens - t0);
          // Queue order: this write lands after the previous piece's dispatch has read the buffer.
          uploadBytes(ctx, this.chunk!, bytes.subarray(t0 * cols * 4, (t0 + n) * cols * 4));
          const encoder = ctx.device.createCommandEncoder({ label: 'hessian' });
          const piece = new PassRecorder(ctx, encoder);
          pieces.push(piece);
          piece.dispatch(kernel, packParams(cols, n), [this.chunk!, this.sum], plan.grid);
          piece.endPass();
          ctx.device.queue.submit([encoder.finish()]);
        }
        await ctx.device.queue.onSubmittedWorkDone();
      } finally {
        for (const piece of pieces) piece.destroy();
      }
    });
    this.tokensSeen += tokens;
  }

  private ensureChunk(bytes: number): void {
    if (this.chunk && this.chunkBytes >= bytes) return;
    this.chunk?.destroy();
    this.chunk = createBuffer(this.ctx, bytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, 'hessian activations');
    this.chunkBytes = bytes;
  }

  /** H = 2/count · S (zeros before any token), Σx_j² = diag S, and the token count. */
  read(): Promise<{ hessian: Float32Array; sumSquares: Float32Array; count: number }> {
    const run = this.tail.then(async () => {
      const cols = this.plan.cols;
      const [bytes] = await withGpuErrorScopes(this.ctx, `reading a ${cols}×${cols} Hessian`, () =>
        readBuffers(this.ctx, [{ buffer: this.sum, byteLength: this.plan.sumBytes }]),
      );
      const sum = new Float32Array(bytes.buffer);
      const scale = this.tokensSeen === 0 ? 0 : 2 / this.tokensSeen;
      const hessian = sum.map((v) => v * scale);
      const sumSquares = new Float32Array(cols);
      for (let j = 0; j < cols; j++) sumSquares[j] = sum[j * cols + j];
      return { hessian, sumSquares, count: this.tokensSeen };
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  destroy(): void {
    destroyBuffers(this.sum, this.chunk ?? undefined);
    this.chunk = null;
  }
}
