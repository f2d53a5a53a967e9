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
// Dispatch: ⌈blocks / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension;
// one invocation per super-block b = (y·num_workgroups.x + x)·WG_SIZE + local index.

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
  let b = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  if (b >= params.blocks) {
    return;
  }
  base = b * 256u;
  let qbase = (b % params.row_blocks) * 256u;
  let o = b * BLOCK_BYTES;
  lead = o & 3u;

  var sum_x2 = 0.0;
  for (var e = 0u; e < 256u; e++) {
    let x = values[base + e];
    sum_x2 += opaque(x * x);
  }
  let sigma2 = div_rn(2.0 * sum_x2, 256.0);

  var scales: array<f32, 16>;
  var sw: array<f32, 16>;
  for (var j = 0u; j < 16u; j++) {
    var xs: array<f32, 16>;
    var ws: array<f32, 16>;
    var sum_w = 0.0;
    for (var l = 0u; l < 16u; l++) {
      let x = values[base + 16u * j + l];
      xs[l] = x;
      ws[l] = importance[qbase + 16u * j + l] * sqrt_rn(sigma2 + opaque(x * x));
      sum_w += ws[l];
    }
    sw[j] = sum_w;
    let r = make_qx_quants(xs, ws, 4);
    scales[j] = r.scale;
    for (var l = 0u; l < 16u; l++) {
      codes[16u * j + l] = r.codes[l];
    }
  }
  let block = make_qx_quants(scales, sw, 32);
  for (var j = 0u; j < 16u; j++) {
    // 6-bit scale codes (l + 32): low nibbles @96, high 2 bits @104 (the reference's packing).
    let l = u32(block.codes[j]);
    put_byte(96u + (j & 7u), (l & 0xfu) << (4u * (j >> 3u)));
    put_byte(104u + (j & 3u), (l >> 4u) << (2u * (j >> 2u)));
  }
  let d_bits = f32_to_f16_bits(block.scale);
  put_byte(108u, d_bits);
  put_byte(109u, d_bits >> 8u);
  let d = f16_bits_to_f32(d_bits);
  for (var j = 0u; j < 16u; j++) {
    let dl = d * f32(block.codes[j] - 32);  // exact: an fp16 times a 6-bit code
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
