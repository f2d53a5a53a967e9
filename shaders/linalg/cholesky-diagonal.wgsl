// Cholesky factor of one diagonal block of the blocked right-looking factorisation, in place:
// A[k0…k0+nb][k0…k0+nb] (lower triangle, already updated by the earlier blocks) → L_kk, as
// choleskyLowerRef (src/quant/linalg/cholesky.ts) computes those columns. One workgroup; invocation i
// owns block row i, the block sits in workgroup memory. A pivot that is not > 0 (or not finite)
// means "not positive definite": its global column goes to status[0] (atomicMin) and the wrapper
// retries with raised damping. The upper triangle of the block is left as it was.
// Helpers: none
// Bindings: 0 params; 1 mat: f32 matrix (unitless, H's units) with A[i][j] at offset + i·ld + j;
//   2 status: u32 [0] = lowest failed column (0xffffffff: none).
// Dispatch: 1 workgroup; nb ≤ WG_SIZE.

struct Params {
  offset: u32,
  ld: u32,
  k0: u32,
  nb: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> mat: array<f32>;
@group(0) @binding(2) var<storage, read_write> status: array<atomic<u32>>;

override WG_SIZE: u32 = 32u;
override BLOCK_ELEMS: u32 = WG_SIZE * WG_SIZE;

var<workgroup> blk: array<f32, BLOCK_ELEMS>;  // [i][j], row stride WG_SIZE

const F32_MAX = 0x1.fffffep+127f;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(local_invocation_index) i: u32) {
  let nb = params.nb;
  let base = params.offset + params.k0 * params.ld + params.k0;
  if (i < nb) {
    for (var c = 0u; c <= i; c++) {
      blk[i * WG_SIZE + c] = mat[base + i * params.ld + c];
    }
  }
  workgroupBarrier();
  for (var j = 0u; j < nb; j++) {
    // Every invocation reads the pivot; only invocation j writes it, after the barrier.
    let d = blk[j * WG_SIZE + j];
    let piv = sqrt(d);
    if (i > j && i < nb) {
      blk[i * WG_SIZE + j] = blk[i * WG_SIZE + j] / piv;
    }
    workgroupBarrier();
    if (i == j) {
      blk[j * WG_SIZE + j] = piv;
      if (!(d > 0.0 && d <= F32_MAX)) {
        atomicMin(&status[0], params.k0 + j);
      }
    }
    if (i > j && i < nb) {
      let lij = blk[i * WG_SIZE + j];
      for (var c = j + 1u; c <= i; c++) {
        blk[i * WG_SIZE + c] -= lij * blk[c * WG_SIZE + j];
      }
    }
    workgroupBarrier();
  }
  if (i < nb) {
    for (var c = 0u; c <= i; c++) {
      mat[base + i * params.ld + c] = blk[i * WG_SIZE + c];
    }
  }
}
