// shaders/common helpers against the JavaScript they stand for: div_rn(a, b) == Math.fround(a / b)
// bit for bit, round_half_away(x) == roundHalfAway(x) (incl. 0.49999997, whose f32 x + 0.5 is 1).
import { afterAll, expect, it } from 'vitest';
import divRn from '../../shaders/common/div-rn.wgsl?raw';
import roundHalfAwayWgsl from '../../shaders/common/round-half-away.wgsl?raw';
import { acquireBrowserGpu } from '../gpu/browser-gpu';
import { readBuffers, uploadStorage } from '../gpu/buffers';
import { gpuForTests } from '../gpu/testing';
import { roundHalfAway } from '../quant/rtn';
import { seededRandom } from './quant/rtn-compare';

const { ctx, skipReason } = await gpuForTests(acquireBrowserGpu);
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

const PROBE = `${divRn}\n${roundHalfAwayWgsl}
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<vec2<f32>>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i < arrayLength(&a)) {
    out[i] = vec2(div_rn(a[i], b[i]), round_half_away(a[i]));
  }
}`;

(ctx ? it : it.skip)('div_rn and round_half_away match float32 JavaScript exactly', async () => {
  const rnd = seededRandom(3);
  const n = 1 << 14;
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  const specials = [0.49999997, -0.49999997, 0.5, -0.5, 1.5, 2.5, -2.5, 7.5, 255.5, 0, -0, 1, 3, 8388607.5];
  for (let i = 0; i < n; i++) {
    a[i] = i < specials.length ? specials[i] : (rnd() - 0.5) * 2 ** Math.floor(rnd() * 40 - 20);
    // Divisors as RTN uses them: 2^bits − 1, scales, and 1 / scale.
    b[i] = i % 3 === 0 ? [3, 7, 15, 255][i % 4] : (rnd() + 0.01) * 2 ** Math.floor(rnd() * 30 - 15);
  }
  const device = ctx!.device;
  const module = device.createShaderModule({ code: PROBE });
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bufA = uploadStorage(ctx!, new Uint8Array(a.buffer), 'a');
  const bufB = uploadStorage(ctx!, new Uint8Array(b.buffer), 'b');
  const out = device.createBuffer({ size: n * 8, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [bufA, bufB, out].map((buffer, binding) => ({ binding, resource: { buffer } })),
  }));
  pass.dispatchWorkgroups(n / 64);
  pass.end();
  device.queue.submit([encoder.finish()]);
  const [bytes] = await readBuffers(ctx!, [{ buffer: out, byteLength: n * 8 }]);
  for (const buf of [bufA, bufB, out]) buf.destroy();
  const got = new Float32Array(bytes.buffer);
  const bad: string[] = [];
  for (let i = 0; i < n && bad.length < 5; i++) {
    const q = Math.fround(a[i] / b[i]);
    if (!Object.is(got[2 * i], q)) bad.push(`div_rn(${a[i]}, ${b[i]}) = ${got[2 * i]}, want ${q}`);
    const r = roundHalfAway(a[i]);
    if (got[2 * i + 1] !== r) bad.push(`round_half_away(${a[i]}) = ${got[2 * i + 1]}, want ${r}`);
  }
  expect(bad).toEqual([]);
});
