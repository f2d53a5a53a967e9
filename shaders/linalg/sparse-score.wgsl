// SparseGPT's pruning score w²/U_jj² of one block of columns of W, all rows (the mask statistic of
// sparseGptRef's unstructured rule, src/quant/linalg/sparsegpt.ts; IST-DASLab sparsegpt.py
// fasterprune `tmp = W1 ** 2 / diag(Hinv1) ** 2`), written once so that the radix selection and the
// sweep compare the very same float32 values.
// Helpers: none
// Bindings: 0 params; 1 mat: f32 workspace: W [rows][cols] at 0 (weight units), U [cols][cols] at
//   u_offset, scores [rows][score_stride] at score_offset (weight² units, ≥ 0).
// Dispatch: ⌈rows·count / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension;
// linear id = y·num_workgroups.x + x; one score per invocation.

struct Params {
  rows: u32,
  cols: u32,
  col_start: u32,  // first column of the block
  count: u32,      // columns in the block
  u_offset: u32,
  score_offset: u32,
  score_stride: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> mat: array<f32>;

override WG_SIZE: u32 = 256u;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let e = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  if (e >= params.rows * params.count) {
    return;
  }
  let r = e / params.count;
  let i = e % params.count;
  let c = params.col_start + i;
  let w = mat[r * params.cols + c];
  let d = mat[params.u_offset + c * params.cols + c];
  mat[params.score_offset + r * params.score_stride + i] = (w * w) / (d * d);
}
