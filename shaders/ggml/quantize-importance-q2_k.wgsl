// Importance-weighted quantization of f32 rows into ggml Q2_K super-blocks (256 elements, 84 bytes:
// scales[16] @0 (scale code | min code << 4), qs[64] @16, d fp16 @80, dmin fp16 @82), as
// llama-quantize --imatrix does: quantize_row_q2_K_impl with make_qkx3_quants and make_qp_quants,
// operation by operation in float32 (src/quant/ggml/importance-quantize.ts, importance-search.ts):
// weight of element l of sub-block j = importance[l] · √(σ² + x²) with σ² = Σx²/256; sub-block
// scale and min by the 37-step weighted grid search; the super-block scales by make_qp_quants
// weighted by each sub-block's Σweight. Divisions and sqrt correctly rounded (div_rn, sqrt_rn),
// nearest_int = round (ties to even), and each product the reference rounds before a sum goes
// through opaque(), so no fma skips it.
// Helpers: common/div-rn.wgsl, ggml/common/sqrt-rn.wgsl, ggml/common/f16-bits.wgsl
// Bindings: 0 params; 1 values: f32, blocks·256 finite elements (rows of row_blocks super-blocks);
//   2 out: u32 words of the block bytes (zero-initialised; written with atomicOr); 3 importance:
//   f32, row_blocks·256, one weight per column of a row.
// Dispatch: ⌈16·blocks / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension.
// Sixteen invocations per super-block, one per 16-element sub-block j (its 37-step search is nearly
// all the work): super-block b = (y·num_workgroups.x + x)·WG_SIZE/16 + local index / 16, j = local
// index % 16. Each sums σ² over the super-block itself (in the reference's order), they share their
// sub-block scales, mins and weight sums through workgroup memory, each runs the (small)
// super-block searches on all sixteen, then quantizes and ORs in its own bits.

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

const BLOCK_BYTES = 84u;
const NMAX = 3;
const RMIN = -0.9f;
const RDELTA = 0.05f;
const NSTEP = 36;
const GROUP_MAX_EPS = 1e-15f;

const SUB_BLOCKS: u32 = 16u;

var<private> codes: array<u32, 16>;  // this invocation's sub-block
var<private> aux: array<u32, 16>;
var<private> weights: array<f32, 16>;
var<private> base: u32;
var<private> block_byte: u32;        // the block's first byte in `out` (a multiple of 4)
var<workgroup> sub_scales: array<f32, WG_SIZE>;
var<workgroup> sub_mins: array<f32, WG_SIZE>;
var<workgroup> sub_weights: array<f32, WG_SIZE>;

fn opaque(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) | params.opaque_zero);
}

/** ORs byte value v into byte k of the block (other invocations own the other bits). */
fn or_byte(k: u32, v: u32) {
  let p = block_byte + k;
  atomicOr(&out[p >> 2u], (v & 0xffu) << ((p & 3u) * 8u));
}

// make_qkx3_quants(16, 3, x, weights, L, Laux, −0.9, 0.05, 36, false) on elements first…first+15:
// codes into `codes`; returns (scale, −min).
fn make_qkx3_quants(first: u32) -> vec2<f32> {
  var mn = values[base + first];
  var mx = mn;
  var sum_w = weights[0];
  var sum_x = sum_w * mn;
  for (var i = 1u; i < 16u; i++) {
    let x = values[base + first + i];
    mn = select(mn, x, x < mn);
    mx = select(mx, x, x > mx);
    sum_w += weights[i];
    sum_x += opaque(weights[i] * x);
  }
  mn = select(mn, 0.0, mn > 0.0);
  if (mx <= mn) {
    for (var i = 0u; i < 16u; i++) {
      codes[i] = 0u;
    }
    return vec2(0.0, -mn);
  }
  var iscale = div_rn(f32(NMAX), mx - mn);
  var scale = div_rn(1.0, iscale);
  var best = 0.0;
  for (var i = 0u; i < 16u; i++) {
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
    for (var i = 0u; i < 16u; i++) {
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
      for (var i = 0u; i < 16u; i++) {
        let diff = (opaque(this_scale * f32(aux[i])) + this_min) - values[base + first + i];
        err += opaque(weights[i] * (diff * diff));
      }
      if (err < best) {
        for (var i = 0u; i < 16u; i++) {
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
  codes: array<u32, 16>,
}

// make_qp_quants(16, 15, x, L, qw): codes 0…15 (kept as uint8, as upstream) for x ≈ d·L.
fn make_qp_quants(x: array<f32, 16>, qw: array<f32, 16>) -> Qp {
  var r: Qp;
  var mx = 0.0;
  for (var i = 0u; i < 16u; i++) {
    mx = select(x[i], mx, mx > x[i]);
  }
  if (mx < GROUP_MAX_EPS) {
    return r;
  }
  var iscale = div_rn(15.0, mx);
  for (var i = 0u; i < 16u; i++) {
    r.codes[i] = u32(i32(round(iscale * x[i]))) & 0xffu;
  }
  let scale = div_rn(1.0, iscale);
  var best = 0.0;
  for (var i = 0u; i < 16u; i++) {
    let diff = x[i] - opaque(scale * f32(r.codes[i]));
    best += opaque((qw[i] * diff) * diff);
  }
  for (var s = -4; s <= 4; s++) {
    if (s == 0) {
      continue;
    }
    let iscale_s = div_rn(opaque(0.1f * f32(s)) + 15.0, mx);
    let scale_s = div_rn(1.0, iscale_s);
    var mse = 0.0;
    for (var i = 0u; i < 16u; i++) {
      let l = min(15, i32(round(iscale_s * x[i])));
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
  for (var i = 0u; i < 16u; i++) {
    let l = min(15, i32(round(iscale * x[i])));
    r.codes[i] = u32(l) & 0xffu;
    sumlx += opaque((qw[i] * x[i]) * f32(l));
    suml2 += opaque((qw[i] * f32(l)) * f32(l));
  }
  for (var t = 0; t < 5; t++) {
    var changed = 0;
    for (var i = 0u; i < 16u; i++) {
      let w = qw[i];
      let li = f32(r.codes[i]);
      var slx = sumlx - opaque((w * x[i]) * li);
      var sl2 = suml2 - opaque((w * li) * li);
      if (slx > 0.0 && sl2 > 0.0) {
        let new_l = min(15, i32(round(div_rn(x[i] * sl2, slx))));
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
    let sigma2 = div_rn(sum_x2, 256.0);
    for (var l = 0u; l < 16u; l++) {
      let x = values[base + 16u * j + l];
      weights[l] = importance[qbase + 16u * j + l] * sqrt_rn(sigma2 + opaque(x * x));
      sum_w += weights[l];
    }
    r = make_qkx3_quants(16u * j);
  }
  sub_scales[lid] = r.x;
  sub_mins[lid] = r.y;
  sub_weights[lid] = sum_w;
  workgroupBarrier();
  if (!busy) {
    return;
  }
  var scales: array<f32, 16>;
  var mins: array<f32, 16>;
  var sw: array<f32, 16>;
  for (var k = 0u; k < SUB_BLOCKS; k++) {
    scales[k] = sub_scales[first_sibling + k];
    mins[k] = sub_mins[first_sibling + k];
    sw[k] = sub_weights[first_sibling + k];
  }
  let sc = make_qp_quants(scales, sw);
  let mc = make_qp_quants(mins, sw);
  block_byte = b * BLOCK_BYTES;
  let d_bits = f32_to_f16_bits(sc.d);
  let dmin_bits = f32_to_f16_bits(mc.d);
  let d = f16_bits_to_f32(d_bits);
  let dmin = f16_bits_to_f32(dmin_bits);
  let packed = (sc.codes[j] | (mc.codes[j] << 4u)) & 0xffu;
  or_byte(j, packed);
  let dl = d * f32(packed & 0xfu);  // exact: an fp16 times a 4-bit code
  if (dl != 0.0) {  // else the codes of the search stay, as in the reference
    let dm = dmin * f32(packed >> 4u);
    for (var ii = 0u; ii < 16u; ii++) {
      codes[ii] = u32(clamp(i32(round(div_rn(values[base + 16u * j + ii] + dm, dl))), 0, 3));
    }
  }
  // Element e = 16j + ii sits in byte 16 + 32(e / 128) + e % 32 at bit 2((e % 128) / 32): a
  // sub-block fills 16 consecutive bytes (four words) at one bit position.
  let shift = 2u * ((j % 8u) / 2u);
  let word = (block_byte + 16u + 32u * (j / 8u) + 16u * (j % 2u)) / 4u;
  for (var w = 0u; w < 4u; w++) {
    var bits = 0u;
    for (var k = 0u; k < 4u; k++) {
      bits |= (codes[4u * w + k] << shift) << (8u * k);
    }
    atomicOr(&out[word + w], bits);
  }
  if (j == 0u) {
    or_byte(80u, d_bits);
    or_byte(81u, d_bits >> 8u);
    or_byte(82u, dmin_bits);
    or_byte(83u, dmin_bits >> 8u);
  }
}
