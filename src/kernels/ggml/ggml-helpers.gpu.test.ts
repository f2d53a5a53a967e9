// shaders/ggml/common helpers against the JavaScript they stand for, bit for bit:
// f32_to_f16_bits == f32ToF16Bits (RNE; ties, subnormal halves, overflow, NaN), f16_bits_to_f32_bits
// == f16BitsToF32 for every half, sqrt_rn == Math.fround(Math.sqrt). Also reports how often WGSL's
// pack2x16float disagrees with RNE here, which is why the kernels do not use it.
import { afterAll, expect, it } from 'vitest';
import f16Bits from '../../../shaders/ggml/common/f16-bits.wgsl?raw';
import sqrtRn from '../../../shaders/ggml/common/sqrt-rn.wgsl?raw';
import { f16BitsToF32, f32ToF16Bits } from '../../core/float16';
import { acquireBrowserGpu } from '../../gpu/browser-gpu';
import { readBuffers, uploadStorage } from '../../gpu/buffers';
import { gpuForTests } from '../../gpu/testing';
import { seededRandom } from '../quant/rtn-compare';

const { ctx, skipReason } = await gpuForTests(acquireBrowserGpu);
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

const PROBE = `${f16Bits}\n${sqrtRn}
@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<u32>>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i < arrayLength(&a)) {
    let x = bitcast<f32>(a[i]);
    out[i] = vec4(f32_to_f16_bits(x), f16_bits_to_f32_bits(i & 0xffffu), bitcast<u32>(sqrt_rn(abs(x))),
                  pack2x16float(vec2(x, 0.0)) & 0xffffu);
  }
}`;

(ctx ? it : it.skip)('f16 conversions and sqrt_rn match float32 JavaScript exactly', async () => {
  const n = 1 << 16; // every half pattern for f16_bits_to_f32_bits
  const rnd = seededRandom(5);
  const f = new Float32Array(n);
  const bits = new Uint32Array(f.buffer);
  for (let i = 0; i < n; i++) {
    const h = Math.floor(rnd() * 0x7c00);
    const sign = rnd() < 0.5 ? -1 : 1;
    if (i % 4 === 0) f[i] = sign * ((f16BitsToF32(h) + f16BitsToF32(h + 1)) / 2); // exact ties
    else if (i % 4 === 1) f[i] = sign * f16BitsToF32(h) * (1 + (rnd() - 0.5) * 2 ** -10);
    else if (i % 4 === 2) f[i] = sign * rnd() * 2 ** Math.floor(rnd() * 60 - 30);
    else bits[i] = Math.floor(rnd() * 2 ** 32) >>> 0; // any pattern, incl. NaN and Inf
  }
  f.set([65504, 65519.996, 65520, -65520, 2 ** -25, 2 ** -25 * 1.0000001, 2 ** -24 * 1.5, 2 ** -24 * 2.5, 0, -0, Infinity, NaN]);
  const device = ctx!.device;
  const module = device.createShaderModule({ code: PROBE });
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const input = uploadStorage(ctx!, new Uint8Array(f.buffer), 'a');
  const out = device.createBuffer({ size: n * 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [input, out].map((buffer, binding) => ({ binding, resource: { buffer } })),
  }));
  pass.dispatchWorkgroups(n / 64);
  pass.end();
  device.queue.submit([encoder.finish()]);
  const [bytes] = await readBuffers(ctx!, [{ buffer: out, byteLength: n * 16 }]);
  input.destroy();
  out.destroy();
  const got = new Uint32Array(bytes.buffer);
  const back = new Float32Array(1);
  const backBits = new Uint32Array(back.buffer);
  const bad: string[] = [];
  let packDiffers = 0;
  let finite = 0;
  for (let i = 0; i < n; i++) {
    const want = f32ToF16Bits(f[i]);
    if (got[4 * i] !== want) bad.push(`f32_to_f16_bits(${f[i]}) = 0x${got[4 * i].toString(16)}, expected 0x${want.toString(16)}`);
    back[0] = f16BitsToF32(i);
    if (!Number.isNaN(back[0]) && got[4 * i + 1] !== backBits[0]) bad.push(`f16_bits_to_f32_bits(0x${i.toString(16)})`);
    if (Number.isNaN(back[0]) && (got[4 * i + 1] & 0x7f800000) !== 0x7f800000) bad.push(`f16 NaN 0x${i.toString(16)}`);
    const a = Math.abs(f[i]);
    if (Number.isFinite(a) && a >= 2 ** -126) {
      back[0] = Math.sqrt(a);
      if (got[4 * i + 2] !== backBits[0]) bad.push(`sqrt_rn(${a}) = 0x${got[4 * i + 2].toString(16)}, expected 0x${backBits[0].toString(16)}`);
    }
    if (Number.isFinite(f[i]) && Math.abs(f[i]) < 65504) {
      finite++;
      if (got[4 * i + 3] !== want) packDiffers++;
    }
    if (bad.length >= 5) break;
  }
  console.log(`pack2x16float differs from RNE for ${packDiffers} of ${finite} finite probes (ties and subnormal halves included)`);
  expect(bad).toEqual([]);
});
