// HQQ of one weight matrix W[rows][cols] along cols, as hqqRef (src/quant/hqq.ts): per group the
// min/max grid in HQQ's form (inverse scale (2^BITS − 1)/(max − min), 1 for a range ≤ 1e-4, at
// most 2·10⁴; zero −min·inverse scale), then up to `iterations` half-quadratic steps on the zero
// point, each group stopping once its Σ|w − ŵ| stops falling and keeping its best zero. INTEGER_ZERO
// rounds that zero to the grid (ties to even) before the codes are written. Every product that the
// reference rounds goes through opaque() so no fma skips its rounding, and divisions are div_rn:
// the kernel equals the reference except for pow(), which WGSL does not round correctly.
// Helpers: common/div-rn.wgsl
// Bindings: 0 params; 1 weights: f32 [rows][cols] row-major; 2 codes: u32 [rows][padded_cols·STORED_BITS/32],
//   LSB first, the padding after the last column holding the row's last zero rounded to the grid;
//   3 scales: f32 [rows][groups_per_row]; 4 zeros: f32 [rows][groups_per_row].
// Dispatch: ⌈rows·groups_per_row / WG_SIZE⌉ workgroups, folded into (x, y) past
// maxComputeWorkgroupsPerDimension; group = (y·num_workgroups.x + x)·WG_SIZE + local index, one
// invocation per group (a group starts on a word: group sizes and pack blocks are multiples of 16).

struct Params {
  rows: u32,
  cols: u32,
  group_size: u32,      // elements per scale (= cols for per-channel)
  groups_per_row: u32,
  padded_cols: u32,     // cols rounded up to the pack block
  iterations: u32,
  opaque_zero: u32,     // always 0, but unknown to the compiler: see opaque()
  lp_exponent: f32,     // p − 1
  beta: f32,
  kappa: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<storage, read_write> codes: array<u32>;
@group(0) @binding(3) var<storage, read_write> scales: array<f32>;
@group(0) @binding(4) var<storage, read_write> zeros: array<f32>;

override WG_SIZE: u32 = 64u;
override BITS: u32 = 4u;          // 2, 3, 4 or 8
override STORED_BITS: u32 = 4u;   // container bits: 2, 4 or 8
override INTEGER_ZERO: bool = false;

const MIN_RANGE: f32 = 1e-4;
const MAX_INV_SCALE: f32 = 2e4;

// x as a value the compiler cannot see through: the product is rounded before what follows.
fn opaque(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) | params.opaque_zero);
}

fn code_of(v: f32, inv_scale: f32, zero: f32) -> f32 {
  let maxq = f32((1u << BITS) - 1u);
  return clamp(round(opaque(v * inv_scale) + zero), 0.0, maxq);
}

// sign(d)·max(0, |d| − |d|^(p−1)/β); 0 at d = 0.
fn shrink_lp(d: f32, beta: f32) -> f32 {
  let a = abs(d);
  if (a == 0.0) {
    return 0.0;
  }
  let cut = a - div_rn(pow(a, params.lp_exponent), beta);
  return select(0.0, sign(d) * cut, cut > 0.0);
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let id = (wg.y * nwg.x + wg.x) * WG_SIZE + lid;
  if (id >= params.rows * params.groups_per_row) {
    return;
  }
  let r = id / params.groups_per_row;
  let g = id - r * params.groups_per_row;
  let start = g * params.group_size;
  let end = min(params.cols, start + params.group_size);
  let base = r * params.cols;
  let maxq = f32((1u << BITS) - 1u);

  var mn = weights[base + start];
  var mx = mn;
  for (var c = start + 1u; c < end; c = c + 1u) {
    mn = min(mn, weights[base + c]);
    mx = max(mx, weights[base + c]);
  }
  let range = mx - mn;
  let inv_scale = select(min(div_rn(maxq, range), MAX_INV_SCALE), 1.0, range <= MIN_RANGE);
  let scale = div_rn(1.0, inv_scale);
  let n = f32(end - start);

  var zero = opaque(-mn * inv_scale);
  var best_zero = zero;
  var best = bitcast<f32>(0x7f800000u | params.opaque_zero);  // +inf (a constant inf does not compile)
  var beta = params.beta;
  for (var it = 0u; it < params.iterations; it = it + 1u) {
    var err = 0.0;
    var acc = 0.0;
    for (var c = start; c < end; c = c + 1u) {
      let v = weights[base + c];
      let q = code_of(v, inv_scale, zero);
      let d = v - opaque((q - zero) * scale);
      err = err + abs(d);
      let e = shrink_lp(d, beta);
      acc = acc + (q - opaque((v - e) * inv_scale));
    }
    if (!(err < best)) {
      break;
    }
    best = err;
    best_zero = zero;
    zero = div_rn(acc, n);
    beta = opaque(beta * params.kappa);
  }
  if (INTEGER_ZERO) {
    best_zero = clamp(round(best_zero), 0.0, maxq);
  }
  scales[id] = scale;
  zeros[id] = best_zero;

  // Codes LSB first into whole words; the last group of a row also fills the row's padding.
  let per_word = 32u / STORED_BITS;
  let row_word = r * (params.padded_cols / per_word);
  let last = g + 1u == params.groups_per_row;
  let stop = select(end, params.padded_cols, last);
  let pad_code = u32(clamp(round(best_zero), 0.0, maxq));
  var word = 0u;
  for (var c = start; c < stop; c = c + 1u) {
    var q = pad_code;
    if (c < end) {
      q = u32(code_of(weights[base + c], inv_scale, best_zero));
    }
    let slot = c % per_word;
    word = word | (q << (slot * STORED_BITS));
    if (slot == per_word - 1u) {
      codes[row_word + c / per_word] = word;
      word = 0u;
    }
  }
}
