// Reversed, masked copy of an n × n matrix: dst[i][j] = src[n−1−i][n−1−j] (or, transposed,
// src[n−1−j][n−1−i]) inside the kept triangle, diag[i] on the diagonal when given, 0 elsewhere.
// It turns H into JHJ for the Cholesky (reading H's lower triangle), builds the identity the
// triangular inverse starts from, and turns M = L(JHJ)⁻¹ into U = J·M·J, the upper factor with
// (H + damp·I)⁻¹ = UᵀU that dampedInverseCholeskyRef (src/quant/linalg/cholesky.ts) returns.
// Helpers: none
// Bindings: 0 params; 1 src: f32 [n][n] at src_offset (unitless); 2 diag: f32 [n], the new
//   diagonal in dst order; 3 dst: f32 [n][n] at dst_offset.
// Dispatch: ⌈n² / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension;
// linear id = y·num_workgroups.x + x; one element per invocation.

struct Params {
  n: u32,
  src_offset: u32,
  dst_offset: u32,
  keep: u32,        // 0: nothing, 1: lower (j ≤ i), 2: upper (j ≥ i)
  transposed: u32,  // 1: read src[n−1−j][n−1−i]
  use_diag: u32,    // 1: dst[i][i] = diag[i]
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> diag: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

override WG_SIZE: u32 = 256u;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  let e = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  if (e >= n * n) {
    return;
  }
  let i = e / n;
  let j = e % n;
  var v = 0.0;
  if (i == j && params.use_diag != 0u) {
    v = diag[i];
  } else if ((params.keep == 1u && j <= i) || (params.keep == 2u && j >= i)) {
    let si = select(n - 1u - i, n - 1u - j, params.transposed != 0u);
    let sj = select(n - 1u - j, n - 1u - i, params.transposed != 0u);
    v = src[params.src_offset + si * n + sj];
  }
  dst[params.dst_offset + e] = v;
}
