// Importance-weighted quantization of f32 rows into ggml's legacy 32-element blocks, as
// llama-quantize --imatrix does (quantize_row_q4_0_impl, q4_1, q5_0, q5_1; src/quant/ggml/
// importance-quantize.ts): weight of element j = importance[j] · √(σ² + x²) with σ² the mean x² of
// the whole row; Q4_0/Q5_0 take d from make_qx_quants (symmetric, weighted least squares over 19
// grid scales), Q4_1/Q5_1 d and m from make_qkx3_quants (37-step asymmetric grid search). Float32
// in the reference's order: divisions and sqrt correctly rounded (div_rn, sqrt_rn), nearest_int =
// round (ties to even), and each product the reference rounds before a sum goes through opaque().
// TYPE is the ggml_type id: 2 Q4_0 (18-byte blocks), 3 Q4_1 (20), 6 Q5_0 (22), 7 Q5_1 (24).
// Helpers: common/div-rn.wgsl, ggml/common/sqrt-rn.wgsl, ggml/common/f16-bits.wgsl
// Bindings: 0 params; 1 values: f32, rows of row_blocks·32 finite elements; 2 out: u32 words of the
//   block bytes (little-endian, zero-initialised; blocks straddle words, so words are written with
//   atomicOr); 3 importance: f32, row_blocks·32, one weight per column of a row.
// Dispatch: ⌈rows / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension;
// one invocation per row r = (y·num_workgroups.x + x)·WG_SIZE + local index (σ² is a sequential
// sum over the row, as upstream's, so a row stays with one invocation).

struct Params {
  blocks: u32,
  opaque_zero: u32,  // always 0, but unknown to the compiler: see opaque()
  row_blocks: u32,   // blocks per row
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read> importance: array<f32>;

override WG_SIZE: u32 = 64u;
override TYPE: u32 = 2u;
override BLOCK_BYTES: u32 = select(select(select(18u, 20u, TYPE == 3u), 22u, TYPE == 6u), 24u, TYPE == 7u);
override SYMMETRIC: bool = TYPE == 2u || TYPE == 6u;
override NMAX: i32 = select(select(31, 15, TYPE == 3u), select(16, 8, TYPE == 2u), SYMMETRIC);

const RMIN = -0.9f;
const RDELTA = 0.05f;
const NSTEP = 36;
const GROUP_MAX_EPS = 1e-15f;

var<private> codes: array<u32, 32>;
var<private> aux: array<u32, 32>;
var<private> weights: array<f32, 32>;
var<private> staged: array<u32, 10>;  // the block's bytes at their offset in its first word
var<private> lead: u32;
var<private> base: u32;                // index of the block's first value

fn opaque(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) | params.opaque_zero);
}

fn put_byte(k: u32, v: u32) {
  let p = lead + k;
  staged[p >> 2u] |= (v & 0xffu) << ((p & 3u) * 8u);
}

fn put_f16(k: u32, v: f32) {
  let bits = f32_to_f16_bits(v);
  put_byte(k, bits);
  put_byte(k + 1u, bits >> 8u);
}

// 32 five-bit codes (Q5_x): fifth bits as a u32 LE at qh, nibbles at qs (j low, j + 16 high).
fn put_codes5(qh: u32, qs: u32) {
  var bits = 0u;
  for (var j = 0u; j < 16u; j++) {
    let q0 = codes[j];
    let q1 = codes[j + 16u];
    put_byte(qs + j, (q0 & 0xfu) | ((q1 & 0xfu) << 4u));
    bits |= ((q0 >> 4u) & 1u) << j;
    bits |= ((q1 >> 4u) & 1u) << (j + 16u);
  }
  for (var k = 0u; k < 4u; k++) {
    put_byte(qh + k, bits >> (8u * k));
  }
}

fn code_of(iscale: f32, x: f32) -> i32 {
  return clamp(i32(round(iscale * x)), -NMAX, NMAX - 1);
}

// make_qx_quants(32, NMAX, x, L, rmse_type = 1, weights): codes l + NMAX into `codes`; returns d.
fn make_qx_quants() -> f32 {
  var mx = 0.0;
  var amax = 0.0;
  for (var i = 0u; i < 32u; i++) {
    let v = values[base + i];
    if (abs(v) > amax) {
      amax = abs(v);
      mx = v;
    }
  }
  if (amax < GROUP_MAX_EPS) {
    for (var i = 0u; i < 32u; i++) {
      codes[i] = 0u;
    }
    return 0.0;
  }
  var iscale = div_rn(-f32(NMAX), mx);
  var sumlx = 0.0;
  var suml2 = 0.0;
  for (var i = 0u; i < 32u; i++) {
    let x = values[base + i];
    let l = code_of(iscale, x);
    codes[i] = u32(l + NMAX);
    sumlx += opaque((weights[i] * x) * f32(l));
    suml2 += opaque((weights[i] * f32(l)) * f32(l));
  }
  var scale = select(0.0, div_rn(sumlx, suml2), suml2 != 0.0);
  var best = scale * sumlx;
  for (var t = -9; t <= 9; t++) {
    if (t == 0) {
      continue;
    }
    iscale = div_rn(-opaque(f32(NMAX) + opaque(0.1f * f32(t))), mx);
    sumlx = 0.0;
    suml2 = 0.0;
    for (var i = 0u; i < 32u; i++) {
      let x = values[base + i];
      let l = code_of(iscale, x);
      sumlx += opaque((weights[i] * x) * f32(l));
      suml2 += opaque((weights[i] * f32(l)) * f32(l));
    }
    if (suml2 > 0.0 && sumlx * sumlx > best * suml2) {
      for (var i = 0u; i < 32u; i++) {
        codes[i] = u32(code_of(iscale, values[base + i]) + NMAX);
      }
      scale = div_rn(sumlx, suml2);
      best = scale * sumlx;
    }
  }
  return scale;
}

// make_qkx3_quants(32, NMAX, x, weights, L, Laux, −0.9, 0.05, 36, false): codes into `codes`;
// returns (d, −min).
fn make_qkx3_quants() -> vec2<f32> {
  var mn = values[base];
  var mx = mn;
  var sum_w = weights[0];
  var sum_x = sum_w * mn;
  for (var i = 1u; i < 32u; i++) {
    let x = values[base + i];
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
    let x = values[base + i];
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
      let x = values[base + i];
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
        let diff = (opaque(this_scale * f32(aux[i])) + this_min) - values[base + i];
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

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let r = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  let row_blocks = params.row_blocks;
  if (r * row_blocks >= params.blocks) {
    return;
  }
  let n = row_blocks * 32u;
  var sum_x2 = 0.0;
  for (var e = 0u; e < n; e++) {
    let x = values[r * n + e];
    sum_x2 += opaque(x * x);
  }
  let sigma2 = div_rn(sum_x2, f32(n));

  for (var ib = 0u; ib < row_blocks; ib++) {
    let b = r * row_blocks + ib;
    base = b * 32u;
    let o = b * BLOCK_BYTES;
    lead = o & 3u;
    for (var w = 0u; w < 10u; w++) {
      staged[w] = 0u;
    }
    for (var j = 0u; j < 32u; j++) {
      let x = values[base + j];
      weights[j] = importance[32u * ib + j] * sqrt_rn(sigma2 + opaque(x * x));
    }
    if (SYMMETRIC) {
      put_f16(0u, make_qx_quants());
    } else {
      let dm = make_qkx3_quants();
      put_f16(0u, dm.x);
      put_f16(2u, -dm.y);
    }
    switch TYPE {
      case 2u, 3u: {
        let qs = select(4u, 2u, TYPE == 2u);
        for (var j = 0u; j < 16u; j++) {
          put_byte(qs + j, codes[j] | (codes[j + 16u] << 4u));
        }
      }
      case 6u: {
        put_codes5(2u, 6u);
      }
      default: {  // 7u, Q5_1
        put_codes5(4u, 8u);
      }
    }
    let words = (lead + BLOCK_BYTES + 3u) / 4u;
    for (var w = 0u; w < words; w++) {
      atomicOr(&out[(o >> 2u) + w], staged[w]);
    }
  }
}
