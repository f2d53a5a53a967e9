// Quantization of f32 rows into ggml Q3_K super-blocks (256 elements, 110 bytes: hmask[32] @0,
// qs[64] @32, scales[12] @96, d fp16 @108), following quantize_row_q3_K_ref and make_q3_quants
// (do_rmse: weights x², coordinate descent) operation by operation in float32
// (src/quant/ggml/block-q3_k.ts, kquant-search.ts; docs/FORMATS.md §4.5): divisions correctly
// rounded (div_rn), nearest_int = round (ties to even), and each product the reference rounds before
// a sum goes through opaque(), so no fma skips it.
// Helpers: common/div-rn.wgsl, ggml/common/f16-bits.wgsl
// Bindings: 0 params; 1 values: f32, blocks·256 finite elements; 2 out: u32 words of the block bytes
//   (little-endian, zero-initialised; blocks straddle words, so each word is written with atomicOr).
// Dispatch: ⌈blocks / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension;
// one invocation per super-block b = (y·num_workgroups.x + x)·WG_SIZE + local index.

struct Params {
  blocks: u32,
  opaque_zero: u32,  // always 0, but unknown to the compiler: see opaque()
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<atomic<u32>>;

override WG_SIZE: u32 = 64u;

const BLOCK_BYTES = 110u;
const NMAX = 4;
const GROUP_MAX_EPS = 1e-15f;

var<private> codes: array<i32, 256>;
var<private> staged: array<u32, 29>;  // the block's bytes at their offset in its first word
var<private> lead: u32;
var<private> base: u32;

fn opaque(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) | params.opaque_zero);
}

fn put_byte(k: u32, v: u32) {
  let p = lead + k;
  staged[p >> 2u] |= (v & 0xffu) << ((p & 3u) * 8u);
}

// make_q3_quants(16, 4, x, L, do_rmse = true) on elements first…first+15: codes l + 4 into `codes`
// (all 0 for a zero sub-block), returns the scale.
fn make_q3_quants(first: u32) -> f32 {
  var mx = 0.0;
  var amax = 0.0;
  for (var i = 0u; i < 16u; i++) {
    let v = values[base + first + i];
    if (abs(v) > amax) {
      amax = abs(v);
      mx = v;
    }
  }
  if (amax < GROUP_MAX_EPS) {
    for (var i = 0u; i < 16u; i++) {
      codes[first + i] = 0;
    }
    return 0.0;
  }
  let iscale = div_rn(-f32(NMAX), mx);
  var sumlx = 0.0;
  var suml2 = 0.0;
  for (var i = 0u; i < 16u; i++) {
    let x = values[base + first + i];
    let l = clamp(i32(round(iscale * x)), -NMAX, NMAX - 1);
    codes[first + i] = l;
    let w = x * x;
    sumlx += opaque((w * x) * f32(l));
    suml2 += opaque((w * f32(l)) * f32(l));
  }
  for (var itry = 0; itry < 5; itry++) {
    var changed = 0;
    for (var i = 0u; i < 16u; i++) {
      let x = values[base + first + i];
      let w = x * x;
      let li = f32(codes[first + i]);
      var slx = sumlx - opaque((w * x) * li);
      if (slx > 0.0) {
        var sl2 = suml2 - opaque((w * li) * li);
        let new_l = clamp(i32(round(div_rn(x * sl2, slx))), -NMAX, NMAX - 1);
        if (new_l != codes[first + i]) {
          slx += opaque((w * x) * f32(new_l));
          sl2 += opaque((w * f32(new_l)) * f32(new_l));
          if (sl2 > 0.0 && (slx * slx) * suml2 > (sumlx * sumlx) * sl2) {
            codes[first + i] = new_l;
            sumlx = slx;
            suml2 = sl2;
            changed++;
          }
        }
      }
    }
    if (changed == 0) {
      break;
    }
  }
  for (var i = 0u; i < 16u; i++) {
    codes[first + i] += NMAX;
  }
  return select(0.0, div_rn(sumlx, suml2), suml2 > 0.0);
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let b = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  if (b >= params.blocks) {
    return;
  }
  base = b * 256u;
  let o = b * BLOCK_BYTES;
  lead = o & 3u;

  var scales: array<f32, 16>;
  var max_scale = 0.0;
  var amax = 0.0;
  for (var j = 0u; j < 16u; j++) {
    scales[j] = make_q3_quants(16u * j);
    if (abs(scales[j]) > amax) {
      amax = abs(scales[j]);
      max_scale = scales[j];
    }
  }
  var d = 0.0;
  var sc: array<i32, 16>;  // 6-bit scale codes, stored +32
  if (max_scale != 0.0) {
    let iscale = div_rn(-32.0, max_scale);
    for (var j = 0u; j < 16u; j++) {
      sc[j] = clamp(i32(round(iscale * scales[j])), -32, 31) + 32;
      let l = u32(sc[j]);
      put_byte(96u + (j & 7u), (l & 0xfu) << (4u * (j >> 3u)));
      put_byte(104u + (j & 3u), (l >> 4u) << (2u * (j >> 2u)));
    }
    let d_bits = f32_to_f16_bits(div_rn(1.0, iscale));
    put_byte(108u, d_bits);
    put_byte(109u, d_bits >> 8u);
    d = f16_bits_to_f32(d_bits);
  }
  for (var j = 0u; j < 16u; j++) {
    let dl = d * f32(sc[j] - 32);  // exact: an fp16 times a 6-bit code
    if (dl == 0.0) {
      continue;
    }
    for (var ii = 0u; ii < 16u; ii++) {
      let e = 16u * j + ii;
      codes[e] = clamp(i32(round(div_rn(values[base + e], dl))), -4, 3) + 4;
    }
  }
  // High bit of element e → hmask[e % 32] bit e / 32; low 2 bits → byte 32 + 32h + l, bits 2s…2s+1.
  for (var e = 0u; e < 256u; e++) {
    let q = u32(codes[e]);
    put_byte(e & 31u, (q >> 2u) << (e >> 5u));
    put_byte(32u + 32u * (e >> 7u) + (e & 31u), (q & 3u) << (2u * ((e & 127u) >> 5u)));
  }
  let words = (lead + BLOCK_BYTES + 3u) / 4u;
  for (var w = 0u; w < words; w++) {
    atomicOr(&out[(o >> 2u) + w], staged[w]);
  }
}
