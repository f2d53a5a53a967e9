// Dequantization of ggml's k-quant super-blocks (256 elements) to f32, bit for bit as
// dequantizeGgmlRef (src/quant/ggml/block-q2_k.ts, block-q3_k.ts, block-q4_k-q5_k.ts,
// block-q6_k.ts, kquant-pack.ts; element placement and scales as in docs/FORMATS.md §4.5). TYPE is
// the ggml_type id: 10 Q2_K (84-byte blocks), 11 Q3_K (110), 12 Q4_K (144), 13 Q5_K (176),
// 14 Q6_K (210). Bytes are read at any offset out of little-endian u32 words. The products before a
// subtraction (d·sc·q, dmin·m) are exact in f32 (≤ 22 significant bits), so a fused multiply-add
// rounds like the reference's separate steps.
// Helpers: ggml/common/f16-bits.wgsl
// Bindings: 0 params; 1 blocks: u32 words of the raw tensor bytes (tail zero-padded to a word);
//   2 values: u32 f32 bit patterns, one per element.
// Dispatch: ⌈numel / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension;
// one invocation per element e = (y·num_workgroups.x + x)·WG_SIZE + local index.

struct Params {
  numel: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> blocks: array<u32>;
@group(0) @binding(2) var<storage, read_write> values: array<u32>;

override WG_SIZE: u32 = 64u;
override TYPE: u32 = 14u;

fn byte_at(at: u32) -> u32 {
  return (blocks[at >> 2u] >> ((at & 3u) * 8u)) & 0xffu;
}

fn f16_at(at: u32) -> f32 {
  return f16_bits_to_f32(byte_at(at) | (byte_at(at + 1u) << 8u));
}

// The 2-bit field of Q2_K/Q3_K: element r at byte 32·⌊r/128⌋ + r mod 32, bits 2·⌊(r mod 128)/32⌋.
fn two_bits(at: u32, r: u32) -> u32 {
  return (byte_at(at + 32u * (r >> 7u) + (r & 31u)) >> (2u * ((r & 127u) >> 5u))) & 3u;
}

// Q4_K/Q5_K 6-bit scale (x) and min (y) codes of sub-block j from the 12 bytes at `at` (get_scale_min_k4).
fn scale_min_k4(at: u32, j: u32) -> vec2<u32> {
  if (j < 4u) {
    return vec2(byte_at(at + j) & 63u, byte_at(at + j + 4u) & 63u);
  }
  let b = byte_at(at + j + 4u);
  return vec2((b & 0xfu) | ((byte_at(at + j - 4u) >> 6u) << 4u), (b >> 4u) | ((byte_at(at + j) >> 6u) << 4u));
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let e = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  if (e >= params.numel) {
    return;
  }
  let blk = e / 256u;
  let r = e % 256u;
  var y = 0.0;
  switch TYPE {
    case 10u: {  // Q2_K: scales[16] @0, qs @16, d @80, dmin @82; d·sc·q − dmin·mc
      let o = blk * 84u;
      let sc = byte_at(o + (r >> 4u));
      let dl = f16_at(o + 80u) * f32(sc & 0xfu);
      let ml = f16_at(o + 82u) * f32(sc >> 4u);
      y = dl * f32(two_bits(o + 16u, r)) - ml;
    }
    case 11u: {  // Q3_K: hmask @0, qs @32, scales[12] @96, d @108; d·(sc − 32)·q, q ∈ [−4, 3]
      let o = blk * 110u;
      let j = r >> 4u;
      let low = select(byte_at(o + 96u + j - 8u) >> 4u, byte_at(o + 96u + j) & 0xfu, j < 8u);
      let high = (byte_at(o + 104u + (j & 3u)) >> (2u * (j >> 2u))) & 3u;
      let dl = f16_at(o + 108u) * f32(i32(low | (high << 4u)) - 32);
      let hbit = (byte_at(o + (r & 31u)) >> (r >> 5u)) & 1u;
      y = dl * f32(i32(two_bits(o + 32u, r)) - select(4, 0, hbit == 1u));
    }
    case 12u, 13u: {  // Q4_K / Q5_K: d @0, dmin @2, scales @4, [qh @16], qs @16 / @48
      let five = TYPE == 13u;
      let o = blk * select(144u, 176u, five);
      let j = r >> 5u;
      let sm = scale_min_k4(o + 4u, j);
      let dl = f16_at(o) * f32(sm.x);
      let ml = f16_at(o + 2u) * f32(sm.y);
      let c = j >> 1u;
      let high = j & 1u;
      let l = r & 31u;
      var q = (byte_at(o + select(16u, 48u, five) + 32u * c + l) >> (4u * high)) & 0xfu;
      if (five) {
        q |= ((byte_at(o + 16u + l) >> (2u * c + high)) & 1u) << 4u;
      }
      y = dl * f32(q) - ml;
    }
    default: {  // 14u, Q6_K: ql @0, qh @128, scales int8 @192, d @208; d·sc·q, q ∈ [−32, 31]
      let o = blk * 210u;
      let h = r >> 7u;
      let s = (r & 127u) >> 5u;
      let l = r & 31u;
      let low = (byte_at(o + 64u * h + l + 32u * (s & 1u)) >> select(0u, 4u, s >= 2u)) & 0xfu;
      let high = (byte_at(o + 128u + 32u * h + l) >> (2u * s)) & 3u;
      let sc = i32(byte_at(o + 192u + (r >> 4u)) << 24u) >> 24u;
      y = (f16_at(o + 208u) * f32(sc)) * f32(i32(low | (high << 4u)) - 32);
    }
  }
  values[e] = bitcast<u32>(y);
}
