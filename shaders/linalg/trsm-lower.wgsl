// Forward substitution with one diagonal block L_kk of a lower Cholesky factor, in place, for many
// right-hand sides: x = L_kk⁻¹ b. With vectors along rows it is the panel step of the blocked
// Cholesky (L21 = A21·L11⁻ᵀ); with vectors along columns, one block step of the blocked triangular
// inverse X = L⁻¹ (choleskyLowerRef / choleskyInverseRef, src/quant/linalg/cholesky.ts).
// Helpers: none
// Bindings: 0 params; 1 mat: f32 matrix and workspace (unitless): L_kk[i][t] at l_offset + i·l_ld + t,
//   element i of vector v at rhs_offset + v·rhs_vec_stride + i·rhs_elem_stride (read, then overwritten).
// Dispatch: ⌈vectors / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension;
// linear id = y·num_workgroups.x + x; one vector per invocation.

struct Params {
  nb: u32,
  vectors: u32,
  l_offset: u32,
  l_ld: u32,
  rhs_offset: u32,
  rhs_elem_stride: u32,
  rhs_vec_stride: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> mat: array<f32>;

override WG_SIZE: u32 = 64u;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let v = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  if (v >= params.vectors) {
    return;
  }
  let base = params.rhs_offset + v * params.rhs_vec_stride;
  let es = params.rhs_elem_stride;
  for (var i = 0u; i < params.nb; i++) {
    let row = params.l_offset + i * params.l_ld;
    var s = mat[base + i * es];
    for (var t = 0u; t < i; t++) {
      s -= mat[row + t] * mat[base + t * es];
    }
    mat[base + i * es] = s / mat[row + i];
  }
}
