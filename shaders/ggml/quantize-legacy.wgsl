// Quantization of f32 rows into ggml's legacy 32-element blocks, byte for byte as quantizeGgmlRef
// (quantize_row_*_ref: src/quant/ggml/block-q8_0.ts, block-q4.ts, block-q5.ts; docs/FORMATS.md
// §4.3–4.4b), in the reference's float32 order: d by correctly rounded division (div_rn), codes from
// the unrounded id = 1/d, d and m stored with our own RNE fp16 rounding. TYPE is the ggml_type id:
// 8 Q8_0 (34-byte blocks), 2 Q4_0 (18), 3 Q4_1 (20), 6 Q5_0 (22), 7 Q5_1 (24). Each product that the
// reference rounds before adding 8.5 / 16.5 / 0.5 goes through opaque(), so no fma can skip that
// rounding.
// Helpers: common/round-half-away.wgsl, common/div-rn.wgsl, ggml/common/f16-bits.wgsl
// Bindings: 0 params; 1 values: f32, blocks·32 finite elements; 2 out: u32 words of the block bytes
//   (little-endian, zero-initialised; blocks straddle words, so each word is written with atomicOr).
// Dispatch: ⌈blocks / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension;
// one invocation per block b = (y·num_workgroups.x + x)·WG_SIZE + local index.

struct Params {
  blocks: u32,
  opaque_zero: u32,  // always 0, but unknown to the compiler: see opaque()
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<atomic<u32>>;

override WG_SIZE: u32 = 64u;
override TYPE: u32 = 8u;
override BLOCK_BYTES: u32 = select(select(select(select(34u, 18u, TYPE == 2u), 20u, TYPE == 3u), 22u, TYPE == 6u), 24u,
                                   TYPE == 7u);

// The block's bytes, placed at their offset within its first word (≤ 3 + 34 bytes → 10 words).
var<private> staged: array<u32, 10>;
var<private> lead: u32;

// x unchanged, as a value the compiler cannot see through: keeps x·id rounded before an addition.
fn opaque(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) | params.opaque_zero);
}

fn put_byte(k: u32, v: u32) {
  let p = lead + k;
  staged[p >> 2u] |= (v & 0xffu) << ((p & 3u) * 8u);
}

fn put_u16(k: u32, v: u32) {
  put_byte(k, v);
  put_byte(k + 1u, v >> 8u);
}

fn put_f16(k: u32, v: f32) {
  put_u16(k, f32_to_f16_bits(v));
}

// 32 five-bit codes (Q5_x): fifth bits as a u32 LE at qh, nibbles at qs (j low, j + 16 high).
fn put_codes5(qh: u32, qs: u32, codes: ptr<function, array<u32, 32>>) {
  var bits = 0u;
  for (var j = 0u; j < 16u; j++) {
    let q0 = (*codes)[j];
    let q1 = (*codes)[j + 16u];
    put_byte(qs + j, (q0 & 0xfu) | ((q1 & 0xfu) << 4u));
    bits |= ((q0 >> 4u) & 1u) << j;
    bits |= ((q1 >> 4u) & 1u) << (j + 16u);
  }
  put_u16(qh, bits);
  put_u16(qh + 2u, bits >> 16u);
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let b = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  if (b >= params.blocks) {
    return;
  }
  let base = b * 32u;
  let o = b * BLOCK_BYTES;
  lead = o & 3u;
  var codes: array<u32, 32>;

  if (TYPE == 8u || TYPE == 2u || TYPE == 6u) {
    // Symmetric: Q8_0 uses max |x|; Q4_0/Q5_0 the first element of largest |x|, with its sign.
    var amax = 0.0;
    var mx = 0.0;
    for (var j = 0u; j < 32u; j++) {
      let v = values[base + j];
      if (amax < abs(v)) {
        amax = abs(v);
        mx = v;
      }
    }
    let divisor = select(select(-16.0, -8.0, TYPE == 2u), 127.0, TYPE == 8u);
    let d = div_rn(select(mx, amax, TYPE == 8u), divisor);
    let id = select(0.0, div_rn(1.0, d), d != 0.0);
    put_f16(0u, d);
    for (var j = 0u; j < 32u; j++) {
      let x = values[base + j] * id;
      if (TYPE == 8u) {
        codes[j] = u32(i32(round_half_away(x)));
      } else if (TYPE == 2u) {
        codes[j] = u32(min(15, i32(opaque(x) + 8.5)));
      } else {
        codes[j] = u32(min(31, i32(opaque(x) + 16.5)));
      }
    }
  } else {
    // Asymmetric (Q4_1, Q5_1): min and max; the finite start values act like ±Infinity.
    var mn = 0x1.fffffep+127f;
    var mx = -0x1.fffffep+127f;
    for (var j = 0u; j < 32u; j++) {
      let v = values[base + j];
      mn = select(mn, v, v < mn);
      mx = select(mx, v, v > mx);
    }
    let d = div_rn(mx - mn, select(31.0, 15.0, TYPE == 3u));
    let id = select(0.0, div_rn(1.0, d), d != 0.0);
    put_f16(0u, d);
    put_f16(2u, mn);
    for (var j = 0u; j < 32u; j++) {
      let q = i32(opaque((values[base + j] - mn) * id) + 0.5);
      codes[j] = u32(select(q & 0xff, min(15, q), TYPE == 3u));
    }
  }

  switch TYPE {
    case 8u: {
      for (var j = 0u; j < 32u; j++) {
        put_byte(2u + j, codes[j]);
      }
    }
    case 2u, 3u: {
      let qs = select(4u, 2u, TYPE == 2u);
      for (var j = 0u; j < 16u; j++) {
        put_byte(qs + j, codes[j] | (codes[j + 16u] << 4u));
      }
    }
    case 6u: {
      put_codes5(2u, 6u, &codes);
    }
    default: {  // 7u, Q5_1
      put_codes5(4u, 8u, &codes);
    }
  }

  let words = (lead + BLOCK_BYTES + 3u) / 4u;
  for (var w = 0u; w < words; w++) {
    atomicOr(&out[(o >> 2u) + w], staged[w]);
  }
}
