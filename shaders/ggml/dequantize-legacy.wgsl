// Dequantization of ggml's float and legacy 32-element block types to f32, bit for bit as
// dequantizeGgmlRef (src/quant/ggml/block-q8_0.ts, block-q4.ts, block-q5.ts; src/core/float16.ts;
// docs/FORMATS.md §4.2, §4.4). TYPE is the ggml_type id: 1 F16, 30 BF16 (2 bytes per element);
// 2 Q4_0 (18-byte blocks), 3 Q4_1 (20), 6 Q5_0 (22), 7 Q5_1 (24), 8 Q8_0 (34). Block sizes are not
// multiples of 4, so bytes are read at any offset out of little-endian u32 words. Every product is
// exact in f32 (an fp16 scale times a code of ≤ 8 bits), so a fused q·d + m rounds like the
// reference's two steps.
// Helpers: ggml/common/f16-bits.wgsl
// Bindings: 0 params; 1 blocks: u32 words of the raw tensor bytes (tail zero-padded to a word);
//   2 values: u32 f32 bit patterns, one per element (bits, so F16/BF16 NaN payloads pass unchanged).
// Dispatch: ⌈numel / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension;
// one invocation per element e = (y·num_workgroups.x + x)·WG_SIZE + local index.

struct Params {
  numel: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> blocks: array<u32>;
@group(0) @binding(2) var<storage, read_write> values: array<u32>;

override WG_SIZE: u32 = 64u;
override TYPE: u32 = 8u;

fn byte_at(at: u32) -> u32 {
  return (blocks[at >> 2u] >> ((at & 3u) * 8u)) & 0xffu;
}

fn u16_at(at: u32) -> u32 {
  return byte_at(at) | (byte_at(at + 1u) << 8u);
}

fn f16_at(at: u32) -> f32 {
  return f16_bits_to_f32(u16_at(at));
}

// Code of element j (0…31) in 16 nibble bytes at qs: low nibble = j, high nibble = j + 16.
fn nibble(qs: u32, j: u32) -> u32 {
  return (byte_at(qs + (j & 15u)) >> select(0u, 4u, j >= 16u)) & 0xfu;
}

// Fifth bit of element j from the u32 LE at qh, shifted into place.
fn fifth_bit(qh: u32, j: u32) -> u32 {
  return (byte_at(qh + (j >> 3u)) >> (j & 7u)) & 1u;
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let e = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  if (e >= params.numel) {
    return;
  }
  if (TYPE == 1u) {
    values[e] = f16_bits_to_f32_bits(u16_at(2u * e));
    return;
  }
  if (TYPE == 30u) {
    values[e] = u16_at(2u * e) << 16u;
    return;
  }
  let blk = e / 32u;
  let j = e % 32u;
  var y = 0.0;
  switch TYPE {
    case 2u: {  // Q4_0 {d, qs[16]}: (q − 8)·d
      let o = blk * 18u;
      y = f32(i32(nibble(o + 2u, j)) - 8) * f16_at(o);
    }
    case 3u: {  // Q4_1 {d, m, qs[16]}: q·d + m
      let o = blk * 20u;
      y = f32(nibble(o + 4u, j)) * f16_at(o) + f16_at(o + 2u);
    }
    case 6u: {  // Q5_0 {d, qh[4], qs[16]}: (q − 16)·d
      let o = blk * 22u;
      let q = nibble(o + 6u, j) | (fifth_bit(o + 2u, j) << 4u);
      y = f32(i32(q) - 16) * f16_at(o);
    }
    case 7u: {  // Q5_1 {d, m, qh[4], qs[16]}: q·d + m
      let o = blk * 24u;
      let q = nibble(o + 8u, j) | (fifth_bit(o + 4u, j) << 4u);
      y = f32(q) * f16_at(o) + f16_at(o + 2u);
    }
    default: {  // 8u, Q8_0 {d, qs[32] int8}: q·d
      let o = blk * 34u;
      let q = i32(byte_at(o + 2u + j) << 24u) >> 24u;
      y = f32(q) * f16_at(o);
    }
  }
  values[e] = bitcast<u32>(y);
}
