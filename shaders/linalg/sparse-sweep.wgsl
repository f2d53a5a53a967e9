// SparseGPT's column sweep over one block, one row per invocation (rows are independent given U):
// for each column j of the block, q = 0 where pruned (else w), err = (w − q)/U_jj, the rest of the
// block's row −= err·U[j][j+1…], W[r][j] = q, Err[r][j] = err. The mask is the unstructured rule
// (score ≤ the radix-selected threshold) or, with NM_M > 0, each row's m − n smallest current
// w²/U_jj² in every group of m (ties: lower column). sparseGptRef (src/quant/linalg/sparsegpt.ts).
// Helpers: none
// Bindings: 0 params; 1 mat: f32 workspace: W [rows][cols] at 0 (weight units), U [cols][cols] at
//   u_offset, Err [rows][err_stride] at err_offset, scores [rows][err_stride] at score_offset;
//   2 select: u32 [258], [256] = bits of the unstructured threshold; 3 mask: u32 bits [rows][words_per_row],
//   bit c%32 of word c/32 set where W[r][c] is pruned (each row's words belong to one invocation).
// Dispatch: ⌈rows / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension;
// linear id = y·num_workgroups.x + x.

struct Params {
  rows: u32,
  cols: u32,
  col_start: u32,
  count: u32,
  u_offset: u32,
  err_offset: u32,
  score_offset: u32,
  err_stride: u32,
  words_per_row: u32,
  nm_m: u32,      // 0: unstructured; else the group length m
  nm_prune: u32,  // m − n: pruned per group
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> mat: array<f32>;
@group(0) @binding(2) var<storage, read> select_state: array<u32>;
@group(0) @binding(3) var<storage, read_write> mask: array<u32>;

override WG_SIZE: u32 = 64u;

const MAX_M = 32u;

/** Bit t set for the nm_prune smallest w²/U_jj² of row r's columns c…c+m−1 (ties: lower t). */
fn group_mask(row: u32, c: u32) -> u32 {
  var s: array<f32, MAX_M>;
  let m = params.nm_m;
  for (var t = 0u; t < m; t++) {
    let w = mat[row + c + t];
    let d = mat[params.u_offset + (c + t) * params.cols + c + t];
    s[t] = (w * w) / (d * d);
  }
  var bits = 0u;
  for (var t = 0u; t < m; t++) {
    var rank = 0u;
    for (var o = 0u; o < m; o++) {
      if (s[o] < s[t] || (s[o] == s[t] && o < t)) {
        rank++;
      }
    }
    if (rank < params.nm_prune) {
      bits |= 1u << t;
    }
  }
  return bits;
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let r = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  if (r >= params.rows) {
    return;
  }
  let cols = params.cols;
  let row = r * cols;
  let thresh = select_state[256];
  var group_bits = 0u;
  for (var i = 0u; i < params.count; i++) {
    let c = params.col_start + i;
    var pruned: bool;
    if (params.nm_m == 0u) {
      pruned = bitcast<u32>(mat[params.score_offset + r * params.err_stride + i]) <= thresh;
    } else {
      if (i % params.nm_m == 0u) {
        group_bits = group_mask(row, c);
      }
      pruned = ((group_bits >> (i % params.nm_m)) & 1u) != 0u;
    }
    let u_row = params.u_offset + c * cols;
    let w = mat[row + c];
    let q = select(w, 0.0, pruned);
    let err = (w - q) / mat[u_row + c];
    if (err != 0.0) {
      for (var j = i + 1u; j < params.count; j++) {
        mat[row + params.col_start + j] -= err * mat[u_row + params.col_start + j];
      }
    }
    mat[row + c] = q;
    mat[params.err_offset + r * params.err_stride + i] = err;
    if (pruned) {
      let word = r * params.words_per_row + c / 32u;
      mask[word] |= 1u << (c % 32u);
    }
  }
}
