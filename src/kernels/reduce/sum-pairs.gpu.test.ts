// shaders/reduce/sum-pairs.wgsl via encodeSumPairs: one, two and three passes, against float64 sums.
import { afterAll, expect, it } from 'vitest';
import { acquireBrowserGpu } from '../../gpu/browser-gpu';
import { readBuffers, uploadStorage } from '../../gpu/buffers';
import { gpuForTests } from '../../gpu/testing';
import { seededRandom } from '../quant/rtn-compare';
import { encodeSumPairs, sumPairsPipeline } from './sum-pairs';

const { ctx, skipReason } = await gpuForTests(acquireBrowserGpu);
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

/** f32 tree sums of positive terms vs float64. */
const SUM_REL_TOL = 1e-5;

(ctx ? it : it.skip).each([1, 1000, 1025, 70_001])('sums %i pairs', async (count) => {
  const rnd = seededRandom(count);
  const pairs = new Float32Array(2 * count).map(() => rnd());
  let a = 0;
  let b = 0;
  for (let i = 0; i < count; i++) {
    a += pairs[2 * i];
    b += pairs[2 * i + 1];
  }
  const src = uploadStorage(ctx!, new Uint8Array(pairs.buffer), 'pairs');
  const encoder = ctx!.device.createCommandEncoder();
  const { total, created } = encodeSumPairs(ctx!, await sumPairsPipeline(ctx!), encoder, src, count);
  ctx!.device.queue.submit([encoder.finish()]);
  const [bytes] = await readBuffers(ctx!, [{ buffer: total, byteLength: 8 }]);
  for (const buf of [src, ...created]) buf.destroy();
  const [ga, gb] = new Float32Array(bytes.buffer);
  expect(Math.abs(ga - a) / a).toBeLessThan(SUM_REL_TOL);
  expect(Math.abs(gb - b) / b).toBeLessThan(SUM_REL_TOL);
});
