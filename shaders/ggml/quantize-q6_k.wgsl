// Quantization of f32 rows into ggml Q6_K super-blocks (256 elements, 210 bytes: ql[128] @0, qh[64]
// @128, scales[16] int8 @192, d fp16 @208), following quantize_row_q6_K_ref and make_qx_quants
// (rmse_type 1) operation by operation in float32 (src/quant/ggml/block-q6_k.ts, kquant-search.ts;
// docs/FORMATS.md §4.5): divisions correctly rounded (div_rn), nearest_int = round (ties to even),
// and every product the reference rounds before a sum goes through opaque(), so no fma skips it.
// With IMPORTANCE (llama-quantize --imatrix: quantize_row_q6_K_impl), the search weighs element j
// of a row by importance[j] instead of x² (src/quant/ggml/block-q6_k.ts).
// Helpers: common/div-rn.wgsl, ggml/common/f16-bits.wgsl
// Bindings: 0 params; 1 values: f32, blocks·256 finite elements; 2 out: u32 words of the block bytes
//   (little-endian, zero-initialised; blocks straddle words, so each word is written with atomicOr);
//   3 importance: f32, row_blocks·256, one weight per column of a row (read only with IMPORTANCE).
// Dispatch: ⌈blocks / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension;
// one invocation per super-block b = (y·num_workgroups.x + x)·WG_SIZE + local index.

struct Params {
  blocks: u32,
  opaque_zero: u32,  // always 0, but unknown to the compiler: see opaque()
  row_blocks: u32,   // super-blocks per row (with IMPORTANCE)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read> importance: array<f32>;

override WG_SIZE: u32 = 64u;
override IMPORTANCE: bool = false;

const BLOCK_BYTES = 210u;
const NMAX = 32;
const GROUP_MAX_EPS = 1e-15f;

var<private> codes: array<u32, 256>;   // l + 32, 0…63
var<private> staged: array<u32, 54>;   // the block's bytes at their offset in its first word
var<private> lead: u32;
var<private> base: u32;                // index of the block's first value
var<private> qbase: u32;               // index of the block's first column in `importance`

// The least-squares weight of element e of the block: its column's importance, or x² (the reference).
fn weight_of(e: u32, x: f32) -> f32 {
  if (IMPORTANCE) {
    return importance[qbase + e];
  }
  return x * x;
}

fn opaque(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) | params.opaque_zero);
}

fn put_byte(k: u32, v: u32) {
  let p = lead + k;
  staged[p >> 2u] |= (v & 0xffu) << ((p & 3u) * 8u);
}

fn code_of(iscale: f32, x: f32) -> i32 {
  return clamp(i32(round(iscale * x)), -NMAX, NMAX - 1);
}

// make_qx_quants(16, 32, x, L, rmse_type = 1, weights) on elements first…first+15: codes into `codes`, returns the scale.
fn make_qx_quants(first: u32) -> f32 {
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
      codes[first + i] = 0u;
    }
    return 0.0;
  }
  var iscale = div_rn(-f32(NMAX), mx);
  var sumlx = 0.0;
  var suml2 = 0.0;
  for (var i = 0u; i < 16u; i++) {
    let x = values[base + first + i];
    let l = code_of(iscale, x);
    codes[first + i] = u32(l + NMAX);
    let w = weight_of(first + i, x);
    sumlx += opaque((w * x) * f32(l));
    suml2 += opaque((w * f32(l)) * f32(l));
  }
  var scale = select(0.0, div_rn(sumlx, suml2), suml2 != 0.0);
  var best = scale * sumlx;
  for (var t = -9; t <= 9; t++) {
    if (t == 0) {
      continue;
    }
    iscale = div_rn(-(f32(NMAX) + opaque(0.1f * f32(t))), mx);
    sumlx = 0.0;
    suml2 = 0.0;
    for (var i = 0u; i < 16u; i++) {
      let x = values[base + first + i];
      let l = code_of(iscale, x);
      let w = weight_of(first + i, x);
      sumlx += opaque((w * x) * f32(l));
      suml2 += opaque((w * f32(l)) * f32(l));
    }
    if (suml2 > 0.0 && sumlx * sumlx > best * suml2) {
      for (var i = 0u; i < 16u; i++) {
        codes[first + i] = u32(code_of(iscale, values[base + first + i]) + NMAX);
      }
      scale = div_rn(sumlx, suml2);
      best = scale * sumlx;
    }
  }
  return scale;
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let b = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  if (b >= params.blocks) {
    return;
  }
  base = b * 256u;
  qbase = (b % max(params.row_blocks, 1u)) * 256u;
  let o = b * BLOCK_BYTES;
  lead = o & 3u;

  var scales: array<f32, 16>;
  var max_scale = 0.0;
  var max_abs_scale = 0.0;
  for (var ib = 0u; ib < 16u; ib++) {
    scales[ib] = make_qx_quants(16u * ib);
    if (abs(scales[ib]) > max_abs_scale) {
      max_abs_scale = abs(scales[ib]);
      max_scale = scales[ib];
    }
  }
  if (max_abs_scale < GROUP_MAX_EPS) {
    return;  // the block stays all zeros (d = +0)
  }
  let iscale = div_rn(-128.0, max_scale);
  let d_bits = f32_to_f16_bits(div_rn(1.0, iscale));
  let d = f16_bits_to_f32(d_bits);
  put_byte(208u, d_bits);
  put_byte(209u, d_bits >> 8u);
  for (var ib = 0u; ib < 16u; ib++) {
    let sc = min(127, i32(round(iscale * scales[ib])));
    put_byte(192u + ib, u32(sc));
    let dl = d * f32(sc);
    if (dl == 0.0) {
      continue;
    }
    for (var ii = 0u; ii < 16u; ii++) {
      let e = 16u * ib + ii;
      codes[e] = u32(clamp(i32(round(div_rn(values[base + e], dl))), -32, 31) + 32);
    }
  }
  for (var h = 0u; h < 2u; h++) {
    for (var l = 0u; l < 32u; l++) {
      let e = 128u * h + l;
      put_byte(64u * h + l, (codes[e] & 0xfu) | ((codes[e + 64u] & 0xfu) << 4u));
      put_byte(64u * h + l + 32u, (codes[e + 32u] & 0xfu) | ((codes[e + 96u] & 0xfu) << 4u));
      put_byte(128u + 32u * h + l,
               (codes[e] >> 4u) | ((codes[e + 32u] >> 4u) << 2u) | ((codes[e + 64u] >> 4u) << 4u) | ((codes[e + 96u] >> 4u) << 6u));
    }
  }
  let words = (lead + BLOCK_BYTES + 3u) / 4u;
  for (var w = 0u; w < words; w++) {
    atomicOr(&out[(o >> 2u) + w], staged[w]);
  }
}
