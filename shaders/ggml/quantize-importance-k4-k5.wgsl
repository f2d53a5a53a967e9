// Importance-weighted quantization of f32 rows into ggml Q4_K (144-byte super-blocks: d @0, dmin
// @2, scales[12] @4, qs[128] @16) or Q5_K (176 bytes: same, then qh[32] @16, qs[128] @48), as
// llama-quantize --imatrix does: quantize_row_q4_K_impl / q5_K_impl with make_qkx3_quants and
// make_qp_quants, operation by operation in float32 (src/quant/ggml/importance-quantize.ts,
// importance-search.ts): weight of element l of sub-block j = importance[l] · √(σ² + x²) with
// σ² = 2·Σx²/256; sub-block scale and min by the 37-step weighted grid search; the super-block
// scales by make_qp_quants weighted by each sub-block's Σweight. Divisions and sqrt correctly rounded
// (div_rn, sqrt_rn), nearest_int = round (ties to even), and each product the reference rounds
// before a sum goes through opaque(), so no fma skips it. TYPE: 12 Q4_K, 13 Q5_K.
// Helpers: common/div-rn.wgsl, ggml/common/sqrt-rn.wgsl, ggml/common/f16-bits.wgsl
// Bindings: 0 params; 1 values: f32, blocks·256 finite elements (rows of row_blocks super-blocks);
//   2 out: u32 words of the block bytes (zero-initialised; written with atomicOr); 3 importance:
//   f32, row_blocks·256, one weight per column of a row.
// Dispatch: ⌈8·blocks / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension.
// Eight invocations per super-block, one per 32-element sub-block j (its 37-step search is nearly all
// the work): super-block b = (y·num_workgroups.x + x)·WG_SIZE/8 + local index / 8, j = local index % 8.
// Each sums σ² over the super-block itself (in the reference's order), they share their sub-block
// scales, mins and weight sums through workgroup memory, each runs the (small) super-block searches
// on all eight, then quantizes and ORs in its own bits.

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
override TYPE: u32 = 12u;
override FIVE: bool = TYPE == 13u;
override BLOCK_BYTES: u32 = select(144u, 176u, FIVE);
override NMAX: i32 = select(15, 31, FIVE);

const RMIN = -0.9f;
const RDELTA = 0.05f;
const NSTEP = 36;
const GROUP_MAX_EPS = 1e-15f;

const SUB_BLOCKS: u32 = 8u;

var<private> codes: array<u32, 32>;  // this invocation's sub-block
var<private> aux: array<u32, 32>;
var<private> weights: array<f32, 32>;
var<private> base: u32;
var<private> block_word: u32;        // first output word of the super-block
var<workgroup> sub_scales: array<f32, WG_SIZE>;
var<workgroup> sub_mins: array<f32, WG_SIZE>;
var<workgroup> sub_weights: array<f32, WG_SIZE>;

fn opaque(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) | params.opaque_zero);
}

/** ORs byte value v into byte k of the super-block (other invocations own the other bits). */
fn or_byte(k: u32, v: u32) {
  atomicOr(&out[block_word + (k >> 2u)], (v & 0xffu) << ((k & 3u) * 8u));
}

// make_qkx3_quants(32, NMAX, x, weights, L, Laux, −0.9, 0.05, 36, false) on elements first…first+31:
// codes into `codes` (0…31); returns (scale, −min).
fn make_qkx3_quants(first: u32) -> vec2<f32> {
  var mn = values[base + first];
  var mx = mn;
  var sum_w = weights[0];
  var sum_x = sum_w * mn;
  for (var i = 1u; i < 32u; i++) {
    let x = values[base + first + i];
    mn = select(mn, x, x < mn);
    mx = select(mx, x, x > mx);
    sum_w += weights[i];
    sum_x += opaque(weights[i] * x);
  }
  mn = select(mn, 0.0, mn > 0.0);
  if (mx <= mn) {
    for (var i = 0u; i < 32u; i++) {
      codes[i] = 0u;
    }
    return vec2(0.0, -mn);
  }
  var iscale = div_rn(f32(NMAX), mx - mn);
  var scale = div_rn(1.0, iscale);
  var best = 0.0;
  for (var i = 0u; i < 32u; i++) {
    let x = values[base + first + i];
    let l = clamp(i32(round(iscale * (x - mn))), 0, NMAX);
    codes[i] = u32(l);
    let diff = (opaque(scale * f32(l)) + mn) - x;
    best += opaque(weights[i] * (diff * diff));
  }
  for (var s = 0; s <= NSTEP; s++) {
    // opaque() on the inner sum too: with RMIN a const, compilers fold RMIN + NMAX first otherwise.
    iscale = div_rn(opaque(RMIN + opaque(RDELTA * f32(s))) + f32(NMAX), mx - mn);
    var sum_l = 0.0;
    var sum_l2 = 0.0;
    var sum_xl = 0.0;
    for (var i = 0u; i < 32u; i++) {
      let x = values[base + first + i];
      let l = clamp(i32(round(iscale * (x - mn))), 0, NMAX);
      aux[i] = u32(l);
      let wl = weights[i] * f32(l);
      sum_l += opaque(wl);
      sum_l2 += opaque(wl * f32(l));
      sum_xl += opaque(wl * x);
    }
    let det = opaque(sum_w * sum_l2) - opaque(sum_l * sum_l);
    if (det > 0.0) {
      var this_scale = div_rn(opaque(sum_w * sum_xl) - opaque(sum_x * sum_l), det);
      var this_min = div_rn(opaque(sum_l2 * sum_x) - opaque(sum_l * sum_xl), det);
      if (this_min > 0.0) {
        this_min = 0.0;
        this_scale = div_rn(sum_xl, sum_l2);
      }
      var err = 0.0;
      for (var i = 0u; i < 32u; i++) {
        let diff = (opaque(this_scale * f32(aux[i])) + this_min) - values[base + first + i];
        err += opaque(weights[i] * (diff * diff));
      }
      if (err < best) {
        for (var i = 0u; i < 32u; i++) {
          codes[i] = aux[i];
        }
        best = err;
        scale = this_scale;
        mn = this_min;
      }
    }
  }
  return vec2(scale, -mn);
}

struct Qp {
  d: f32,
  codes: array<u32, 8>,
}

// make_qp_quants(8, 63, x, L, qw): codes 0…63 (kept as uint8, as upstream) for x ≈ d·L.
fn make_qp_quants(x: array<f32, 8>, qw: array<f32, 8>) -> Qp {
  var r: Qp;
  var mx = 0.0;
  for (var i = 0u; i < 8u; i++) {
    mx = select(x[i], mx, mx > x[i]);
  }
  if (mx < GROUP_MAX_EPS) {
    return r;
  }
  var iscale = div_rn(63.0, mx);
  for (var i = 0u; i < 8u; i++) {
    r.codes[i] = u32(i32(round(iscale * x[i]))) & 0xffu;
  }
  let scale = div_rn(1.0, iscale);
  var best = 0.0;
  for (var i = 0u; i < 8u; i++) {
    let diff = x[i] - opaque(scale * f32(r.codes[i]));
    best += opaque((qw[i] * diff) * diff);
  }
  for (var s = -4; s <= 4; s++) {
    if (s == 0) {
      continue;
    }
    let iscale_s = div_rn(opaque(0.1f * f32(s)) + 63.0, mx);
    let scale_s = div_rn(1.0, iscale_s);
    var mse = 0.0;
    for (var i = 0u; i < 8u; i++) {
      let l = min(63, i32(round(iscale_s * x[i])));
      let diff = x[i] - opaque(scale_s * f32(l));
      mse += opaque((qw[i] * diff) * diff);
    }
    if (mse < best) {
      best = mse;
      iscale = iscale_s;
    }
  }
  var sumlx = 0.0;
  var suml2 = 0.0;
  for (var i = 0u; i < 8u; i++) {
    let l = min(63, i32(round(iscale * x[i])));
    r.codes[i] = u32(l) & 0xffu;
    sumlx += opaque((qw[i] * x[i]) * f32(l));
    suml2 += opaque((qw[i] * f32(l)) * f32(l));
  }
  for (var t = 0; t < 5; t++) {
    var changed = 0;
    for (var i = 0u; i < 8u; i++) {
      let w = qw[i];
      let li = f32(r.codes[i]);
      var slx = sumlx - opaque((w * x[i]) * li);
      var sl2 = suml2 - opaque((w * li) * li);
      if (slx > 0.0 && sl2 > 0.0) {
        let new_l = min(63, i32(round(div_rn(x[i] * sl2, slx))));
        if (new_l != i32(r.codes[i])) {
          slx += opaque((w * x[i]) * f32(new_l));
          sl2 += opaque((w * f32(new_l)) * f32(new_l));
          if ((slx * slx) * suml2 > (sumlx * sumlx) * sl2) {
            r.codes[i] = u32(new_l) & 0xffu;
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
  r.d = select(0.0, div_rn(sumlx, suml2), suml2 > 0.0);
  return r;
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let j = lid % SUB_BLOCKS;
  let first_sibling = lid - j;
  let b = (wid.y * nwg.x + wid.x) * (WG_SIZE / SUB_BLOCKS) + lid / SUB_BLOCKS;
  let busy = b < params.blocks;
  var r = vec2(0.0, 0.0);
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
    for (var l = 0u; l < 32u; l++) {
      let x = values[base + 32u * j + l];
      weights[l] = importance[qbase + 32u * j + l] * sqrt_rn(sigma2 + opaque(x * x));
      sum_w += weights[l];
    }
    r = make_qkx3_quants(32u * j);
  }
  sub_scales[lid] = r.x;
  sub_mins[lid] = r.y;
  sub_weights[lid] = sum_w;
  workgroupBarrier();
  if (!busy) {
    return;
  }
  var scales: array<f32, 8>;
  var mins: array<f32, 8>;
  var sw: array<f32, 8>;
  for (var k = 0u; k < SUB_BLOCKS; k++) {
    scales[k] = sub_scales[first_sibling + k];
    mins[k] = sub_mins[first_sibling + k];
    sw[k] = sub_weights[first_sibling + k];
  }
  let sc = make_qp_quants(scales, sw);
  let mc = make_qp_quants(mins, sw);
  block_word = b * (BLOCK_BYTES / 4u);
  // A negative code stays its uint8 wrap; upstream's Q5_K (not Q4_K) clamps the codes to 63.
  let ls_byte = select(sc.codes[j], min(63u, sc.codes[j]), FIVE);
  let lm_byte = select(mc.codes[j], min(63u, mc.codes[j]), FIVE);
  // 6-bit pairs in 12 bytes @4 (packScaleMinK4 / get_scale_min_k4).
  if (j < 4u) {
    or_byte(4u + j, ls_byte);
    or_byte(8u + j, lm_byte);
  } else {
    or_byte(8u + j, (ls_byte & 0xfu) | ((lm_byte & 0xfu) << 4u));
    or_byte(j, (ls_byte >> 4u) << 6u);
    or_byte(4u + j, (lm_byte >> 4u) << 6u);
  }
  let d_bits = f32_to_f16_bits(sc.d);
  let dmin_bits = f32_to_f16_bits(mc.d);
  if (j == 0u) {
    or_byte(0u, d_bits);
    or_byte(1u, d_bits >> 8u);
    or_byte(2u, dmin_bits);
    or_byte(3u, dmin_bits >> 8u);
  }
  let d = f16_bits_to_f32(d_bits);
  let dmin = f16_bits_to_f32(dmin_bits);
  // The codes as get_scale_min_k4 reads them back from the packed bytes (6 bits each).
  let ls = ls_byte & 63u;
  let lm = lm_byte & 63u;
  let dl = d * f32(ls);  // exact: an fp16 times a 6-bit code
  if (dl != 0.0) {  // else the codes of the search stay, as in the reference
    let dm = dmin * f32(lm);
    for (var ii = 0u; ii < 32u; ii++) {
      codes[ii] = u32(clamp(i32(round(div_rn(values[base + 32u * j + ii] + dm, dl))), 0, NMAX));
    }
  }
  // Chunk c = j / 2 of 64 elements: byte 32c + l holds element 64c + l (low nibble, even j) and
  // 64c + l + 32 (high nibble, odd j); Q5_K's fifth bits go to qh[l], bit 2c + j % 2.
  let half = j & 1u;
  let qs_word = (select(16u, 48u, FIVE) + 32u * (j >> 1u)) / 4u;
  for (var w = 0u; w < 8u; w++) {
    var low = 0u;
    var fifth = 0u;
    for (var k = 0u; k < 4u; k++) {
      let code = codes[4u * w + k];
      low |= ((code & 0xfu) << (4u * half)) << (8u * k);
      fifth |= ((code >> 4u) << j) << (8u * k);
    }
    atomicOr(&out[block_word + qs_word + w], low);
    if (FIVE) {
      atomicOr(&out[block_word + 4u + w], fifth);
    }
  }
}
