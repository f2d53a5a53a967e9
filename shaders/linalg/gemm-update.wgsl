// Tiled update C += alpha · A·B on strided views of one f32 buffer (a matrix and its workspace):
// the O(n³) step of the blocked Cholesky (A22 −= L21·L21ᵀ, lower triangle only), of the blocked
// triangular inverse (X2 −= L21·X1) and of SparseGPT's lazy batch update (W[:, end:] −= Err·U[blk,
// end:]). References: choleskyLowerRef / choleskyInverseRef (src/quant/linalg/cholesky.ts) and
// sparseGptRef (src/quant/linalg/sparsegpt.ts). The three views must not overlap.
// Helpers: none
// Bindings: 0 params; 1 mat: f32 elements (unitless) holding C [m][ncols] at c_offset + r·c_row_stride + c,
//   A [m][k] at a_offset + r·a_row_stride + t·a_col_stride, B [k][ncols] at b_offset + t·b_row_stride + c·b_col_stride.
// Dispatch: (⌈ncols/TILE⌉, ⌈m/TILE⌉) workgroups of TILE × TILE invocations (WG_SIZE = TILE²), one
// C element each; with lower_only, tiles wholly above the diagonal (c > r) return at once.

struct Params {
  m: u32,
  ncols: u32,
  k: u32,
  c_offset: u32,
  c_row_stride: u32,
  a_offset: u32,
  a_row_stride: u32,
  a_col_stride: u32,
  b_offset: u32,
  b_row_stride: u32,
  b_col_stride: u32,
  alpha: f32,
  lower_only: u32,  // 1: write only elements with c ≤ r
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> mat: array<f32>;

override WG_SIZE: u32 = 256u;
override TILE: u32 = 16u;

var<workgroup> tile_a: array<f32, WG_SIZE>;  // [r − r0][t − t0]
var<workgroup> tile_b: array<f32, WG_SIZE>;  // [t − t0][c − c0]

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r0 = wid.y * TILE;
  let c0 = wid.x * TILE;
  if (params.lower_only != 0u && c0 > r0 + TILE - 1u) {
    return;
  }
  let ly = lid / TILE;
  let lx = lid % TILE;
  let r = r0 + ly;
  let c = c0 + lx;
  var acc = 0.0;
  for (var t0 = 0u; t0 < params.k; t0 += TILE) {
    var a = 0.0;
    var b = 0.0;
    if (r < params.m && t0 + lx < params.k) {
      a = mat[params.a_offset + r * params.a_row_stride + (t0 + lx) * params.a_col_stride];
    }
    if (t0 + ly < params.k && c < params.ncols) {
      b = mat[params.b_offset + (t0 + ly) * params.b_row_stride + c * params.b_col_stride];
    }
    tile_a[lid] = a;
    tile_b[lid] = b;
    workgroupBarrier();
    for (var t = 0u; t < TILE; t++) {
      acc += tile_a[ly * TILE + t] * tile_b[t * TILE + lx];
    }
    workgroupBarrier();
  }
  if (r < params.m && c < params.ncols && (params.lower_only == 0u || c <= r)) {
    let e = params.c_offset + r * params.c_row_stride + c;
    mat[e] = mat[e] + params.alpha * acc;
  }
}
