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
// Dispatch: ⌈16·blocks / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension.
// Sixteen invocations per super-block, one per 16-element sub-block ib (its scale search is nearly
// all the work): super-block b = (y·num_workgroups.x + x)·WG_SIZE/16 + local index / 16, ib = local
// index % 16. They share their sub-block scales through workgroup memory, each finds the super-block's
// scale from all sixteen in the reference's order, then quantizes and ORs in its own bytes and bits.

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

const SUB_BLOCKS: u32 = 16u;

var<private> codes: array<u32, 16>;    // this invocation's sub-block: l + 32, 0…63
var<private> base: u32;                // index of the block's first value
var<private> qbase: u32;               // index of the block's first column in `importance`
var<private> block_byte: u32;          // the block's first byte in `out`
var<workgroup> sub_scales: array<f32, WG_SIZE>;

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

/** ORs bytes k0…k0+15 of the block (other invocations own the other bits), a word at a time. */
fn or_run(k0: u32, run: array<u32, 16>) {
  var word = (block_byte + k0) >> 2u;
  var bits = 0u;
  for (var i = 0u; i < 16u; i++) {
    let p = block_byte + k0 + i;
    if ((p >> 2u) != word) {
      atomicOr(&out[word], bits);
      word = p >> 2u;
      bits = 0u;
    }
    bits |= (run[i] & 0xffu) << ((p & 3u) * 8u);
  }
  atomicOr(&out[word], bits);
}

fn or_byte(k: u32, v: u32) {
  let p = block_byte + k;
  atomicOr(&out[p >> 2u], (v & 0xffu) << ((p & 3u) * 8u));
}

fn code_of(iscale: f32, x: f32) -> i32 {
  return clamp(i32(round(iscale * x)), -NMAX, NMAX - 1);
}

// make_qx_quants(16, 32, x, L, rmse_type = 1, weights) on elements first…first+15: codes into `codes` (0…15), returns the scale.
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
      codes[i] = 0u;
    }
    return 0.0;
  }
  var iscale = div_rn(-f32(NMAX), mx);
  var sumlx = 0.0;
  var suml2 = 0.0;
  for (var i = 0u; i < 16u; i++) {
    let x = values[base + first + i];
    let l = code_of(iscale, x);
    codes[i] = u32(l + NMAX);
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
        codes[i] = u32(code_of(iscale, values[base + first + i]) + NMAX);
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
  let ib = lid % SUB_BLOCKS;
  let first_sibling = lid - ib;
  let b = (wid.y * nwg.x + wid.x) * (WG_SIZE / SUB_BLOCKS) + lid / SUB_BLOCKS;
  let busy = b < params.blocks;
  var scale = 0.0;
  if (busy) {
    base = b * 256u;
    qbase = (b % max(params.row_blocks, 1u)) * 256u;
    scale = make_qx_quants(16u * ib);
  }
  sub_scales[lid] = scale;
  workgroupBarrier();
  if (!busy) {
    return;
  }
  var max_scale = 0.0;
  var max_abs_scale = 0.0;
  for (var k = 0u; k < SUB_BLOCKS; k++) {  // in the reference's order: the first of equal magnitudes wins
    let s = sub_scales[first_sibling + k];
    if (abs(s) > max_abs_scale) {
      max_abs_scale = abs(s);
      max_scale = s;
    }
  }
  if (max_abs_scale < GROUP_MAX_EPS) {
    return;  // the block stays all zeros (d = +0)
  }
  block_byte = b * BLOCK_BYTES;
  let iscale = div_rn(-128.0, max_scale);
  let d_bits = f32_to_f16_bits(div_rn(1.0, iscale));
  let d = f16_bits_to_f32(d_bits);
  if (ib == 0u) {
    or_byte(208u, d_bits);
    or_byte(209u, d_bits >> 8u);
  }
  let sc = min(127, i32(round(iscale * scale)));
  or_byte(192u + ib, u32(sc));
  let dl = d * f32(sc);
  if (dl != 0.0) {  // else the codes of the search stay, as in the reference
    for (var ii = 0u; ii < 16u; ii++) {
      codes[ii] = u32(clamp(i32(round(div_rn(values[base + 16u * ib + ii], dl))), -32, 31) + 32);
    }
  }
  // Element 128h + 32q + l: low nibble in ql byte 64h + 32(q % 2) + l (high half of the byte for
  // q ≥ 2), top two bits at bit 2q of qh byte 128 + 32h + l. A sub-block is 16 such l of one q.
  let h = ib / 8u;
  let q = (ib % 8u) / 2u;
  let l0 = 16u * (ib % 2u);
  var ql: array<u32, 16>;
  var qh: array<u32, 16>;
  for (var i = 0u; i < 16u; i++) {
    ql[i] = (codes[i] & 0xfu) << (4u * (q / 2u));
    qh[i] = (codes[i] >> 4u) << (2u * q);
  }
  or_run(64u * h + 32u * (q % 2u) + l0, ql);
  or_run(128u + 32u * h + l0, qh);
}
