// The CLI path: channelSumSquaresGpu and gatherChannelsGpu on Dawn through the `webgpu` package
// (SwiftShader here, via the node project's VK_ICD_FILENAMES) against the reference, one small
// [K, N]-stored weight per dtype and axis: identical sums and gathered W, bit for bit. The full
// comparison runs in the browser (channels.gpu.test.ts).
import { afterAll, expect, it } from 'vitest';
import { f16ArrayToF32, f32ArrayToF16 } from '../../core/float16';
import { toRowMajor } from '../../core/weight-layout';
import { acquireNodeGpu } from '../../gpu/node-gpu';
import { gpuForTests } from '../../gpu/testing';
import { channelSumSquaresRef, gatherChannelsRef, keptChannelsRef } from '../../quant/prune/channels';
import { seededWeights } from '../quant/rtn-compare';
import { channelSumSquaresGpu, gatherChannelsGpu } from './channels';

const { ctx, skipReason } = await gpuForTests(() => acquireNodeGpu());
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

const bits = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];

(ctx ? it : it.skip).each(['f32', 'f16'] as const)('scores and gathers the channels of a %s [K, N]-stored weight like the reference', async (dtype) => {
  const [rows, cols] = [24, 152];
  const layout = { rows, cols, rowStride: 1, colStride: rows };
  const stored = seededWeights(rows * cols, 43);
  const halves = f32ArrayToF16(stored);
  const bytes = dtype === 'f32' ? new Uint8Array(stored.buffer) : new Uint8Array(halves.buffer);
  const values = toRowMajor(dtype === 'f32' ? stored : f16ArrayToF32(halves), layout);
  for (const axis of ['rows', 'cols'] as const) {
    const sums = await channelSumSquaresGpu(ctx!, { bytes, dtype, layout }, axis);
    const ref = channelSumSquaresRef(values, rows, cols, axis);
    expect(bits(sums), `${axis} sums`).toEqual(bits(ref));
    const kept = keptChannelsRef(ref, Math.ceil(ref.length / 2));
    const gathered = await gatherChannelsGpu(ctx!, { bytes, dtype, layout }, axis, kept);
    expect(bits(gathered), `${axis} gather`).toEqual(bits(gatherChannelsRef(values, rows, cols, axis, kept)));
  }
});
