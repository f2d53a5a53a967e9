// Importance-weighted quantization of f32 rows into ggml Q3_K super-blocks (256 elements, 110 bytes:
// hmask[32] @0, qs[64] @32, scales[12] @96, d fp16 @108), as llama-quantize --imatrix does:
// quantize_row_q3_K_impl, whose sub-block scales and super-block scale both come from make_qx_quants
// (rmse_type 1) with weights, operation by operation in float32 (src/quant/ggml/importance-quantize.ts,
// kquant-search.ts): weight of element l of sub-block j = importance[l] · √(σ² + x²) with σ² =
// 2·Σx²/256; the 16 scales are fitted weighted by each sub-block's Σweight. Divisions and sqrt
// correctly rounded (div_rn, sqrt_rn), nearest_int = round (ties to even), and each product the
// reference rounds before a sum goes through opaque(), so no fma skips it.
// Helpers: common/div-rn.wgsl, ggml/common/sqrt-rn.wgsl, ggml/common/f16-bits.wgsl
// Bindings: 0 params; 1 values: f32, blocks·256 finite elements (rows of row_blocks super-blocks);
//   2 out: u32 words of the block bytes (little-endian, zero-initialised; blocks straddle words, so
//   each word is written with atomicOr); 3 importance: f32, row_blocks·256, one weight per column.
// Dispatch: ⌈16·blocks / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension.
// Sixteen invocations per super-block, one per 16-element sub-block j: super-block b =
// (y·num_workgroups.x + x)·WG_SIZE/16 + local index / 16, j = local index % 16. Each sums σ² over the
// super-block itself (in the reference's order), they share their sub-block scales and weight sums
// through workgroup memory, each fits the 16 scales itself, then quantizes and ORs in its own bits.

struct Params {
  blocks: u32,
  opaque_zero: u32,  // always 0, but unknown to the compiler: see opaque()
  row_blocks: u32,   // super-blocks per row (importance has row_blocks · 256 values)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read> importance: array<f32>;

override WG_SIZE: u32 = 64u;

const BLOCK_BYTES = 110u;
const GROUP_MAX_EPS = 1e-15f;

const SUB_BLOCKS: u32 = 16u;

var<private> codes: array<i32, 16>;  // this invocation's sub-block
var<private> base: u32;
var<private> block_byte: u32;        // the block's first byte in `out`
var<workgroup> sub_scales: array<f32, WG_SIZE>;
var<workgroup> sub_weights: array<f32, WG_SIZE>;

fn opaque(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) | params.opaque_zero);
}

/** ORs byte value v into byte k of the block (other invocations own the other bits). */
fn or_byte(k: u32, v: u32) {
  let p = block_byte + k;
  atomicOr(&out[p >> 2u], (v & 0xffu) << ((p & 3u) * 8u));
}

/** ORs bytes k0…k0+15 of the block, a word at a time. */
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

struct Qx {
  scale: f32,
  codes: array<i32, 16>,  // l + nmax
}

fn code_of(iscale: f32, x: f32, nmax: i32) -> i32 {
  return clamp(i32(round(iscale * x)), -nmax, nmax - 1);
}

// make_qx_quants(16, nmax, x, L, rmse_type = 1, w).
fn make_qx_quants(x: array<f32, 16>, w: array<f32, 16>, nmax: i32) -> Qx {
  var r: Qx;
  var mx = 0.0;
  var amax = 0.0;
  for (var i = 0u; i < 16u; i++) {
    if (abs(x[i]) > amax) {
      amax = abs(x[i]);
      mx = x[i];
    }
  }
  if (amax < GROUP_MAX_EPS) {
    return r;
  }
  var iscale = div_rn(-f32(nmax), mx);
  var sumlx = 0.0;
  var suml2 = 0.0;
  for (var i = 0u; i < 16u; i++) {
    let l = code_of(iscale, x[i], nmax);
    r.codes[i] = l + nmax;
    sumlx += opaque((w[i] * x[i]) * f32(l));
    suml2 += opaque((w[i] * f32(l)) * f32(l));
  }
  r.scale = select(0.0, div_rn(sumlx, suml2), suml2 != 0.0);
  var best = r.scale * sumlx;
  for (var t = -9; t <= 9; t++) {
    if (t == 0) {
      continue;
    }
    iscale = div_rn(-opaque(f32(nmax) + opaque(0.1f * f32(t))), mx);
    sumlx = 0.0;
    suml2 = 0.0;
    for (var i = 0u; i < 16u; i++) {
      let l = code_of(iscale, x[i], nmax);
      sumlx += opaque((w[i] * x[i]) * f32(l));
      suml2 += opaque((w[i] * f32(l)) * f32(l));
    }
    if (suml2 > 0.0 && sumlx * sumlx > best * suml2) {
      for (var i = 0u; i < 16u; i++) {
        r.codes[i] = code_of(iscale, x[i], nmax) + nmax;
      }
      r.scale = div_rn(sumlx, suml2);
      best = r.scale * sumlx;
    }
  }
  return r;
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let j = lid % SUB_BLOCKS;
  let first_sibling = lid - j;
  let b = (wid.y * nwg.x + wid.x) * (WG_SIZE / SUB_BLOCKS) + lid / SUB_BLOCKS;
  let busy = b < params.blocks;
  var scale = 0.0;
  var sum_w = 0.0;
  if (busy) {
    base = b * 256u;
    let qbase = (b % params.row_blocks) * 256u;
    var sum_x2 = 0.0;
    for (var e = 0u; e < 256u; e++) {
      let x = values[base + e];
      sum_x2 += opaque(x * x);
    }
    let sigma2 = div_rn(2.0 * sum_x2, 256.0);
    var xs: array<f32, 16>;
    var ws: array<f32, 16>;
    for (var l = 0u; l < 16u; l++) {
      let x = values[base + 16u * j + l];
      xs[l] = x;
      ws[l] = importance[qbase + 16u * j + l] * sqrt_rn(sigma2 + opaque(x * x));
      sum_w += ws[l];
    }
    let r = make_qx_quants(xs, ws, 4);
    scale = r.scale;
    codes = r.codes;
  }
  sub_scales[lid] = scale;
  sub_weights[lid] = sum_w;
  workgroupBarrier();
  if (!busy) {
    return;
  }
  var scales: array<f32, 16>;
  var sw: array<f32, 16>;
  for (var k = 0u; k < SUB_BLOCKS; k++) {
    scales[k] = sub_scales[first_sibling + k];
    sw[k] = sub_weights[first_sibling + k];
  }
  let block = make_qx_quants(scales, sw, 32);
  block_byte = b * BLOCK_BYTES;
  // 6-bit scale codes (l + 32): low nibbles @96, high 2 bits @104 (the reference's packing).
  let sc = u32(block.codes[j]);
  or_byte(96u + (j & 7u), (sc & 0xfu) << (4u * (j >> 3u)));
  or_byte(104u + (j & 3u), (sc >> 4u) << (2u * (j >> 2u)));
  let d_bits = f32_to_f16_bits(block.scale);
  if (j == 0u) {
    or_byte(108u, d_bits);
    or_byte(109u, d_bits >> 8u);
  }
  let d = f16_bits_to_f32(d_bits);
  let dl = d * f32(block.codes[j] - 32);  // exact: an fp16 times a 6-bit code
  if (dl != 0.0) {  // else the codes of the search stay, as in the reference
    for (var ii = 0u; ii < 16u; ii++) {
      codes[ii] = clamp(i32(round(div_rn(values[base + 16u * j + ii], dl))), -4, 3) + 4;
    }
  }
  // High bit of element e → hmask[e % 32] bit e / 32; low 2 bits → byte 32 + 32(e / 128) + e % 32,
  // bits 2((e % 128) / 32)…+1. Sub-block j is e = 16j…16j+15: 16 consecutive bytes of each.
  let l0 = 16u * (j % 2u);
  var high: array<u32, 16>;
  var low: array<u32, 16>;
  for (var i = 0u; i < 16u; i++) {
    let q = u32(codes[i]);
    high[i] = (q >> 2u) << (j / 2u);
    low[i] = (q & 3u) << (2u * ((j % 8u) / 2u));
  }
  or_run(l0, high);
  or_run(32u + 32u * (j / 8u) + l0, low);
}
