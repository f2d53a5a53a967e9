// AWQ's clipping search (auto_clip), as awqClipLossRef (src/quant/awq.ts): for one (row, group,
// ratio) the group clamped to ±ratio·max|w|, quantized on the RTN grid (common/group-params.wgsl),
// δ against the unclamped weight and its error δ H_gg δᵀ on the group's block of the Hessian,
// summed in float32 (the reference sums in float64). δ_b is recomputed in the inner loop rather
// than stored: a group is at most a row, too long for private memory in the per-channel case.
// Helpers: common/round-half-away.wgsl, common/div-rn.wgsl, common/group-params.wgsl
// Bindings: 0 params; 1 weights: f32 [rows][cols]; 2 hessian: f32 [cols][cols]; 3 ratios: f32 [ratios];
//   4 loss: f32 [rows][groups_per_row][ratios].
// Dispatch: ⌈rows·groups_per_row·ratios / WG_SIZE⌉ workgroups folded into (x, y); one invocation per
// (row, group, ratio), ratio fastest.

struct Params {
  rows: u32,
  cols: u32,
  group_size: u32,
  groups_per_row: u32,
  ratios: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<storage, read> hessian: array<f32>;
@group(0) @binding(3) var<storage, read> ratios: array<f32>;
@group(0) @binding(4) var<storage, read_write> loss: array<f32>;

override WG_SIZE: u32 = 64u;
override BITS: u32 = 4u;
override SYMMETRIC: bool = false;

fn delta_of(w: f32, limit: f32, gp: GroupParams) -> f32 {
  let v = clamp(w, -limit, limit);
  let maxq = f32((1u << BITS) - 1u);
  var q: f32;
  if (SYMMETRIC) {
    q = round_half_away(v * gp.reciprocal) + gp.zero_point;
  } else {
    q = round_half_away(v * gp.reciprocal + gp.zero_point);
  }
  q = clamp(q, 0.0, maxq);
  return (q - gp.zero_point) * gp.scale - w;
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let id = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  if (id >= params.rows * params.groups_per_row * params.ratios) {
    return;
  }
  let i = id % params.ratios;
  let rg = id / params.ratios;
  let r = rg / params.groups_per_row;
  let start = (rg % params.groups_per_row) * params.group_size;
  let end = min(params.cols, start + params.group_size);
  let base = r * params.cols;
  var amax = 0.0;
  for (var c = start; c < end; c++) {
    amax = max(amax, abs(weights[base + c]));
  }
  let limit = amax * ratios[i];
  var mn = 3.4e38;
  var mx = -3.4e38;
  var samax = 0.0;
  for (var c = start; c < end; c++) {
    let v = clamp(weights[base + c], -limit, limit);
    mn = min(mn, v);
    mx = max(mx, v);
    if (abs(v) > abs(samax)) {
      samax = v;
    }
  }
  let gp = group_params(mn, mx, samax, BITS, SYMMETRIC);
  var sum = 0.0;
  for (var a = start; a < end; a++) {
    let da = delta_of(weights[base + a], limit, gp);
    if (da == 0.0) {
      continue;
    }
    var hd = 0.0;
    for (var b = start; b < end; b++) {
      hd += hessian[a * params.cols + b] * delta_of(weights[base + b], limit, gp);
    }
    sum += da * hd;
  }
  loss[id] = sum;
}
