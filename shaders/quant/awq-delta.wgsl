// AWQ's scale-search error, step 1: δ = Q(W·diag(s))·diag(s)⁻¹ − W for one candidate s, as
// awqDeltaRef (src/quant/awq.ts): per row and group of the scaled weight the RTN grid's parameters
// (common/group-params.wgsl, as src/quant/rtn.ts), the code, its dequantized value divided back by
// s (correctly rounded), less the original weight.
// Helpers: common/round-half-away.wgsl, common/div-rn.wgsl, common/group-params.wgsl
// Bindings: 0 params; 1 weights: f32 [rows][cols] row-major; 2 scales: f32 [cols]; 3 delta: f32 [rows][cols].
// Dispatch: ⌈rows·groups_per_row / WG_SIZE⌉ workgroups folded into (x, y) past
// maxComputeWorkgroupsPerDimension; one invocation per (row, group), group = id % groups_per_row.

struct Params {
  rows: u32,
  cols: u32,
  group_size: u32,
  groups_per_row: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<storage, read> scales: array<f32>;
@group(0) @binding(3) var<storage, read_write> delta: array<f32>;

override WG_SIZE: u32 = 64u;
override BITS: u32 = 4u;
override SYMMETRIC: bool = false;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let id = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  if (id >= params.rows * params.groups_per_row) {
    return;
  }
  let r = id / params.groups_per_row;
  let start = (id % params.groups_per_row) * params.group_size;
  let end = min(params.cols, start + params.group_size);
  let base = r * params.cols;
  var mn = 3.4e38;
  var mx = -3.4e38;
  var amax = 0.0;
  for (var c = start; c < end; c++) {
    let v = weights[base + c] * scales[c];
    mn = min(mn, v);
    mx = max(mx, v);
    if (abs(v) > abs(amax)) {
      amax = v;
    }
  }
  let gp = group_params(mn, mx, amax, BITS, SYMMETRIC);
  let maxq = f32((1u << BITS) - 1u);
  for (var c = start; c < end; c++) {
    let w = weights[base + c];
    let v = w * scales[c];
    var q: f32;
    if (SYMMETRIC) {
      q = round_half_away(v * gp.reciprocal) + gp.zero_point;
    } else {
      q = round_half_away(v * gp.reciprocal + gp.zero_point);
    }
    q = clamp(q, 0.0, maxq);
    let deq = (q - gp.zero_point) * gp.scale;
    delta[base + c] = div_rn(deq, scales[c]) - w;
  }
}
