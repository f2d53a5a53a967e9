// Hessian accumulation S += XᵀX for one chunk of activations X [tokens][cols] (row-major f32): the
// running float32 sum behind HessianAccumulatorRef (src/quant/linalg/hessian.ts; H = 2/count · S,
// Wanda's Σx_j² = diag S). Each workgroup owns a TILE × TILE output tile and walks the tokens TILE
// at a time through two workgroup tiles. S[i][j] and S[j][i] add the same products in the same
// token order, so S stays exactly symmetric.
// Helpers: none
// Bindings: 0 params; 1 x: f32 activations [tokens][cols] (unitless layer input);
//   2 sum: f32 S [cols][cols], read and written (S[i][j] += Σ_t x[t][i]·x[t][j]).
// Dispatch: (⌈cols/TILE⌉, ⌈cols/TILE⌉) workgroups; workgroup (x, y) owns rows y·TILE…, cols x·TILE….
// WG_SIZE must equal TILE².

struct Params {
  cols: u32,
  tokens: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> sum: array<f32>;

override WG_SIZE: u32 = 256u;
override TILE: u32 = 16u;

var<workgroup> tile_i: array<f32, WG_SIZE>;  // [token][i − i0]
var<workgroup> tile_j: array<f32, WG_SIZE>;  // [token][j − j0]

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let cols = params.cols;
  let i0 = wid.y * TILE;
  let j0 = wid.x * TILE;
  let ly = lid / TILE;
  let lx = lid % TILE;
  var acc = 0.0;
  for (var t0 = 0u; t0 < params.tokens; t0 += TILE) {
    // Invocation (ly, lx) loads token t0 + ly, columns i0 + lx and j0 + lx.
    let t = t0 + ly;
    var vi = 0.0;
    var vj = 0.0;
    if (t < params.tokens) {
      if (i0 + lx < cols) {
        vi = x[t * cols + i0 + lx];
      }
      if (j0 + lx < cols) {
        vj = x[t * cols + j0 + lx];
      }
    }
    tile_i[lid] = vi;
    tile_j[lid] = vj;
    workgroupBarrier();
    for (var k = 0u; k < TILE; k++) {
      acc += tile_i[k * TILE + ly] * tile_j[k * TILE + lx];
    }
    workgroupBarrier();
  }
  let i = i0 + ly;
  let j = j0 + lx;
  if (i < cols && j < cols) {
    sum[i * cols + j] += acc;
  }
}
