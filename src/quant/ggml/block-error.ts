// A llama.cpp-typed weight's error against the original, ‖W − Ŵ‖ / ‖W‖, with Ŵ decoded a slice of
// whole blocks at a time (by the CPU codec or the GPU kernel): the decoded tensor is never whole
// in memory, so measuring an 8 B model's 2 GB embedding does not add another 2 GB to the peak
// (issue #13). The sums are relativeError's, in the same order: the figure is identical.
import { ggmlTypeByName } from '../../core/ggml-types';
import { RelativeErrorSum } from '../metrics';

/** Decodes `numel` values from whole blocks of a type. */
export type DecodeBlocks = (bytes: Uint8Array, numel: number) => Float32Array | Promise<Float32Array>;

/** Values decoded at a time: 64 MiB of float32, whatever the tensor's size. */
export const ERROR_SLICE_VALUES = 1 << 24;

export async function blockError(type: string, values: Float32Array, bytes: Uint8Array, decode: DecodeBlocks, sliceValues = ERROR_SLICE_VALUES): Promise<number> {
  const { blockSize, blockBytes } = ggmlTypeByName(type)!;
  const blocksPerSlice = Math.max(1, Math.floor(sliceValues / blockSize));
  const blocks = values.length / blockSize;
  const sum = new RelativeErrorSum();
  for (let b = 0; b < blocks; b += blocksPerSlice) {
    const n = Math.min(blocksPerSlice, blocks - b);
    sum.add(values, await decode(bytes.subarray(b * blockBytes, (b + n) * blockBytes), n * blockSize), b * blockSize);
  }
  return sum.value();
}
