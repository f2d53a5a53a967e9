// AWQ's scale-search error, step 2: per row the output error δ H δᵀ of δ from awq-delta.wgsl, as
// awqRowLossRef (src/quant/awq.ts) but summed in float32: a tiled product P = Δ·H (TILE × TILE
// tiles in workgroup memory) whose epilogue multiplies each P[r][c] by Δ[r][c] and sums the tile's
// row, so every row's error is the sum of its ⌈cols/TILE⌉ partial sums (added on the CPU in float64).
// Helpers: none
// Bindings: 0 params; 1 delta: f32 [rows][cols]; 2 hessian: f32 [cols][cols] (symmetric);
//   3 partial: f32 [rows][col_tiles].
// Dispatch: (⌈cols/TILE⌉, ⌈rows/TILE⌉) workgroups of TILE × TILE invocations (WG_SIZE = TILE²).

struct Params {
  rows: u32,
  cols: u32,
  col_tiles: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> delta: array<f32>;
@group(0) @binding(2) var<storage, read> hessian: array<f32>;
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;

override WG_SIZE: u32 = 256u;
override TILE: u32 = 16u;

var<workgroup> tile_a: array<f32, WG_SIZE>;  // Δ[r][t]
var<workgroup> tile_b: array<f32, WG_SIZE>;  // H[t][c]

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let ly = lid / TILE;
  let lx = lid % TILE;
  let r = wid.y * TILE + ly;
  let c = wid.x * TILE + lx;
  var acc = 0.0;
  for (var t0 = 0u; t0 < params.cols; t0 += TILE) {
    var a = 0.0;
    var b = 0.0;
    if (r < params.rows && t0 + lx < params.cols) {
      a = delta[r * params.cols + t0 + lx];
    }
    if (t0 + ly < params.cols && c < params.cols) {
      b = hessian[(t0 + ly) * params.cols + c];
    }
    tile_a[lid] = a;
    tile_b[lid] = b;
    workgroupBarrier();
    for (var t = 0u; t < TILE; t++) {
      acc += tile_a[ly * TILE + t] * tile_b[t * TILE + lx];
    }
    workgroupBarrier();
  }
  // Epilogue: δ[r][c]·P[r][c], summed along the tile's row (tile_a is free again).
  var term = 0.0;
  if (r < params.rows && c < params.cols) {
    term = delta[r * params.cols + c] * acc;
  }
  tile_a[lid] = term;
  workgroupBarrier();
  for (var s = TILE / 2u; s > 0u; s >>= 1u) {
    if (lx < s) {
      tile_a[lid] += tile_a[lid + s];
    }
    workgroupBarrier();
  }
  if (lx == 0u && r < params.rows) {
    partial[r * params.col_tiles + wid.x] = tile_a[lid];
  }
}
