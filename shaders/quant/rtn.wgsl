// Round-to-nearest quantization of one weight matrix W[rows = N][cols = K] along K, exactly as
// quantizeRtnRef (src/quant/rtn.ts; ORT MatMulNBits / MLAS BlockwiseQuantizer math in float32,
// docs/FORMATS.md §2.1). Per group: asymmetric scale = (max(mx,0) − min(mn,0)) / (2^BITS − 1) with a
// zero point, or symmetric scale = −(signed abs-max) / 2^(BITS−1); q = roundf(w · (1/scale) [+ zp]).
// Codes go LSB-first into u32 words (little-endian: the reference's bytes); K is padded to a whole
// pack block with the last group's zero point. Also writes per-group error partials.
// Helpers: common/round-half-away.wgsl, common/div-rn.wgsl, common/group-params.wgsl
// Bindings: 0 params; 1 weights: u32 words of W in storage order, element r·row_stride + c·col_stride,
//   f32 bits or (INPUT_F16) two f16 per word, low half first; 2 codes: u32 [rows][padded_cols·STORED_BITS/32];
//   3 scales: f32 [rows][groups_per_row]; 4 zero_points: u32 codes [rows][groups_per_row];
//   5 partials: vec2<f32> per group (Σ(w − ŵ)², Σw²) over real elements;
//   6 status: [0] = lowest stored index of a non-finite weight (0xffffffff: none), atomicMin.
// Dispatch: ⌈rows·groups_per_row·GROUP_THREADS / WG_SIZE⌉ workgroups, folded into (x, y) past
// maxComputeWorkgroupsPerDimension; linear id = y·num_workgroups.x + x. GROUP_THREADS lanes share a
// group (1 for blocks; more for per-channel rows), taking its words in turn. With row_fastest,
// neighbouring invocations take neighbouring rows (lid = lane·groups_per_wg + slot) so that reads of
// a [K, N]-stored W coalesce; otherwise neighbouring lanes take neighbouring words.

struct Params {
  rows: u32,
  cols: u32,
  row_stride: u32,    // elements between W[r][c] and W[r+1][c] in storage
  col_stride: u32,    // elements between W[r][c] and W[r][c+1] in storage
  group_size: u32,    // elements per scale along K (= cols for per-channel)
  groups_per_row: u32,
  padded_cols: u32,   // cols rounded up to the pack block
  row_fastest: u32,   // 1: consecutive groups walk rows, lanes outermost (for row_stride == 1)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> weights: array<u32>;
@group(0) @binding(2) var<storage, read_write> codes: array<u32>;
@group(0) @binding(3) var<storage, read_write> scales: array<f32>;
@group(0) @binding(4) var<storage, read_write> zero_points: array<u32>;
@group(0) @binding(5) var<storage, read_write> partials: array<vec2<f32>>;
@group(0) @binding(6) var<storage, read_write> status: array<atomic<u32>>;

override WG_SIZE: u32 = 64u;
override GROUP_THREADS: u32 = 1u;       // power of two dividing WG_SIZE
override BITS: u32 = 4u;                // 2, 3, 4 or 8
override SYMMETRIC: bool = false;
override INPUT_F16: bool = false;
override STORED_BITS: u32 = select(BITS, 4u, BITS == 3u);
override CODES_PER_WORD: u32 = 32u / STORED_BITS;

var<workgroup> wg_min: array<f32, WG_SIZE>;
var<workgroup> wg_max: array<f32, WG_SIZE>;
var<workgroup> wg_amax: array<f32, WG_SIZE>;
var<workgroup> wg_amax_col: array<u32, WG_SIZE>;  // column + 1; 0 = the +0 start value, which wins ties
var<workgroup> wg_sums: array<vec2<f32>, WG_SIZE>;

fn load(r: u32, c: u32) -> f32 {
  let e = r * params.row_stride + c * params.col_stride;
  var bits: u32;
  var finite: bool;
  if (INPUT_F16) {
    bits = (weights[e >> 1u] >> ((e & 1u) * 16u)) & 0xffffu;
    finite = (bits & 0x7c00u) != 0x7c00u;
  } else {
    bits = weights[e];
    finite = (bits & 0x7f800000u) != 0x7f800000u;
  }
  if (!finite) {
    atomicMin(&status[0], e);
  }
  return select(bitcast<f32>(bits), unpack2x16float(bits).x, INPUT_F16);
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let groups_per_wg = WG_SIZE / GROUP_THREADS;
  let lanes_outer = params.row_fastest != 0u;
  let lane = select(lid % GROUP_THREADS, lid / groups_per_wg, lanes_outer);
  let slot = select(lid / GROUP_THREADS, lid % groups_per_wg, lanes_outer);
  let group = (wid.y * nwg.x + wid.x) * groups_per_wg + slot;
  let lane_step = select(1u, groups_per_wg, lanes_outer);  // workgroup-memory distance between lanes
  let base = lid - lane * lane_step;
  let in_range = group < params.rows * params.groups_per_row;
  let r = select(group / params.groups_per_row, group % params.rows, params.row_fastest != 0u);
  let g = select(group % params.groups_per_row, group / params.rows, params.row_fastest != 0u);
  let start = g * params.group_size;
  let end = min(params.cols, start + params.group_size);
  let span_end = select(start + params.group_size, params.padded_cols, g + 1u == params.groups_per_row);
  let word_start = start / CODES_PER_WORD;
  let word_end = span_end / CODES_PER_WORD;

  // Pass 1: min, max and the first element of largest magnitude (ties keep the lower column).
  var mn = 0x1.fffffep+127f;  // largest f32
  var mx = -0x1.fffffep+127f;
  var amax = 0.0;
  var amax_col = 0u;
  if (in_range) {
    for (var w = word_start + lane; w < word_end; w += GROUP_THREADS) {
      for (var k = 0u; k < CODES_PER_WORD; k++) {
        let c = w * CODES_PER_WORD + k;
        if (c < end) {
          let v = load(r, c);
          mn = min(mn, v);
          mx = max(mx, v);
          if (abs(v) > abs(amax)) {
            amax = v;
            amax_col = c + 1u;
          }
        }
      }
    }
  }
  if (GROUP_THREADS > 1u) {
    wg_min[lid] = mn;
    wg_max[lid] = mx;
    wg_amax[lid] = amax;
    wg_amax_col[lid] = amax_col;
    workgroupBarrier();
    for (var s = GROUP_THREADS / 2u; s > 0u; s >>= 1u) {
      if (lane < s) {
        let o = lid + s * lane_step;
        wg_min[lid] = min(wg_min[lid], wg_min[o]);
        wg_max[lid] = max(wg_max[lid], wg_max[o]);
        let a = abs(wg_amax[lid]);
        let b = abs(wg_amax[o]);
        if (b > a || (b == a && wg_amax_col[o] < wg_amax_col[lid])) {
          wg_amax[lid] = wg_amax[o];
          wg_amax_col[lid] = wg_amax_col[o];
        }
      }
      workgroupBarrier();
    }
    mn = wg_min[base];
    mx = wg_max[base];
    amax = wg_amax[base];
  }

  // Group parameters (src/quant/rtn.ts groupParams): divisions correctly rounded, as in float32.
  let gp = group_params(mn, mx, amax, BITS, SYMMETRIC);
  let maxq = f32((1u << BITS) - 1u);
  let scale = gp.scale;
  let zp = gp.zero_point;
  let recip = gp.reciprocal;

  // Pass 2: codes, packed a word at a time; padding columns take the zero point.
  var sums = vec2(0.0);
  if (in_range) {
    let words_per_row = params.padded_cols / CODES_PER_WORD;
    for (var w = word_start + lane; w < word_end; w += GROUP_THREADS) {
      var word = 0u;
      for (var k = 0u; k < CODES_PER_WORD; k++) {
        let c = w * CODES_PER_WORD + k;
        var q = zp;
        if (c < end) {
          let v = load(r, c);
          if (SYMMETRIC) {
            q = round_half_away(v * recip) + zp;
          } else {
            q = round_half_away(v * recip + zp);
          }
          q = clamp(q, 0.0, maxq);
          let d = v - (q - zp) * scale;
          sums += vec2(d * d, v * v);
        }
        word |= u32(q) << (k * STORED_BITS);
      }
      codes[r * words_per_row + w] = word;
    }
  }
  if (GROUP_THREADS > 1u) {
    wg_sums[lid] = sums;
    workgroupBarrier();
    for (var s = GROUP_THREADS / 2u; s > 0u; s >>= 1u) {
      if (lane < s) {
        wg_sums[lid] += wg_sums[lid + s * lane_step];
      }
      workgroupBarrier();
    }
    sums = wg_sums[base];
  }
  if (in_range && lane == 0u) {
    let out = r * params.groups_per_row + g;
    scales[out] = scale;
    zero_points[out] = u32(zp);
    partials[out] = sums;
  }
}
