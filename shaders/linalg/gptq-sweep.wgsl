// GPTQ's column sweep over one block, one row per invocation (rows are independent given U), as
// gptqRef (src/quant/linalg/gptq.ts). W is held in solve order; original column c sits at position
// inv[c]. First the parameters of groups [group_first, group_end) of the row (RTN's groupParams in
// float32: min, max, first largest |w|; src/quant/rtn.ts, common/group-params.wgsl), read from W as it
// stands at dispatch start; then for each position p of the block: q = the code of w with the
// group of column order[p], err = (w − (q − zp)·scale)/U_pp, the rest of the block's row −=
// err·U[p][p+1…], Err[r][p − col_start] = err, codes[r][order[p]] = q. count = 0: parameters only.
// Helpers: common/round-half-away.wgsl, common/div-rn.wgsl, common/group-params.wgsl
// Bindings: 0 params; 1 mat: f32 workspace: W [rows][cols] at 0 (weight units, solve order),
//   U [cols][cols] at u_offset, Err [rows][err_stride] at err_offset; 2 order: u32 [2·cols], solve
//   order (original column of each position) at 0, its inverse at cols; 3 qparams: f32 scales
//   [rows][n_groups] at 0, their reciprocals [rows][n_groups] at rows·n_groups; 4 zero_points: u32
//   [rows][n_groups]; 5 codes: u32 [rows][cols], original column order (one code per word).
// Dispatch: ⌈rows / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension;
// linear id = y·num_workgroups.x + x.

struct Params {
  rows: u32,
  cols: u32,
  col_start: u32,   // first solve position of the block
  count: u32,       // positions in the block (0: parameters only)
  u_offset: u32,
  err_offset: u32,
  err_stride: u32,
  group_size: u32,  // original columns per group (cols for per-channel)
  n_groups: u32,
  group_first: u32, // groups whose parameters this dispatch computes first
  group_end: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> mat: array<f32>;
@group(0) @binding(2) var<storage, read> order: array<u32>;
@group(0) @binding(3) var<storage, read_write> qparams: array<f32>;
@group(0) @binding(4) var<storage, read_write> zero_points: array<u32>;
@group(0) @binding(5) var<storage, read_write> codes: array<u32>;

override WG_SIZE: u32 = 64u;
override BITS: u32 = 4u;  // 2, 3, 4 or 8
override SYMMETRIC: bool = false;

/** Scale, reciprocal and zero point of group g of row r (groupParams; ties of |w| keep the lower column). */
fn store_group_params(r: u32, g: u32) {
  let cols = params.cols;
  let start = g * params.group_size;
  let end = min(cols, start + params.group_size);
  var mn = 0x1.fffffep+127f;  // largest f32
  var mx = -0x1.fffffep+127f;
  var amax = 0.0;
  for (var c = start; c < end; c++) {
    let v = mat[r * cols + order[cols + c]];
    mn = min(mn, v);
    mx = max(mx, v);
    if (abs(v) > abs(amax)) {
      amax = v;
    }
  }
  let p = group_params(mn, mx, amax, BITS, SYMMETRIC);
  let out = r * params.n_groups + g;
  qparams[out] = p.scale;
  qparams[params.rows * params.n_groups + out] = p.reciprocal;
  zero_points[out] = u32(p.zero_point);
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let r = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  if (r >= params.rows) {
    return;
  }
  for (var g = params.group_first; g < params.group_end; g++) {
    store_group_params(r, g);
  }
  let cols = params.cols;
  let row = r * cols;
  let maxq = f32((1u << BITS) - 1u);
  for (var i = 0u; i < params.count; i++) {
    let p = params.col_start + i;
    let c = order[p];
    let gi = r * params.n_groups + c / params.group_size;
    let scale = qparams[gi];
    let recip = qparams[params.rows * params.n_groups + gi];
    let zp = f32(zero_points[gi]);
    let w = mat[row + p];
    var q: f32;
    if (SYMMETRIC) {
      q = round_half_away(w * recip) + zp;
    } else {
      q = round_half_away(w * recip + zp);
    }
    q = clamp(q, 0.0, maxq);
    let u_row = params.u_offset + p * cols;
    let err = (w - (q - zp) * scale) / mat[u_row + p];
    if (err != 0.0) {
      for (var j = p + 1u; j < params.col_start + params.count; j++) {
        mat[row + j] -= err * mat[u_row + j];
      }
    }
    mat[params.err_offset + r * params.err_stride + i] = err;
    codes[row + c] = u32(q);
  }
}
