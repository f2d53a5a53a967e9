// Pruning scores of one weight W[rows = out][cols = in], as pruneScoresRef (src/quant/prune/prune-select.ts):
// magnitude |W_ij| copied from the bits (exact), or Wanda |W_ij|·‖X_j‖₂ (Sun et al. 2023) as one
// correctly rounded f32 multiply, with weights and products below 2^-126 as 0 (a GPU may flush
// subnormals; the reference does the same). Scores are ≥ +0, so their f32 bits order as the values:
// they are the keys that radix-select / row-select compare. Also copies W to row-major f32 bits.
// Helpers: ggml/common/f16-bits.wgsl
// Bindings: 0 params; 1 weights: u32 words of W in storage order, element r·row_stride + c·col_stride,
//   f32 bits or (INPUT_F16) two f16 per word, low half first; 2 norms: f32 [cols] ‖X_j‖₂ (WANDA only;
//   any 4 bytes otherwise); 3 keys: u32 [rows·cols] row-major score bits; 4 values: u32 [rows·cols]
//   row-major f32 bits of W; 5 status: [0] = lowest row-major index of a non-finite weight
//   (0xffffffff: none), atomicMin.
// Dispatch: ⌈rows·cols / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension;
// element t = (y·num_workgroups.x + x)·WG_SIZE + local index. With row_fastest, t walks the rows
// first (r = t % rows) so that reads of a [K, N]-stored W coalesce.

struct Params {
  rows: u32,
  cols: u32,
  row_stride: u32,   // elements between W[r][c] and W[r+1][c] in storage
  col_stride: u32,   // elements between W[r][c] and W[r][c+1] in storage
  row_fastest: u32,  // 1: consecutive invocations take consecutive rows
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> weights: array<u32>;
@group(0) @binding(2) var<storage, read> norms: array<f32>;
@group(0) @binding(3) var<storage, read_write> keys: array<u32>;
@group(0) @binding(4) var<storage, read_write> values: array<u32>;
@group(0) @binding(5) var<storage, read_write> status: array<atomic<u32>>;

override WG_SIZE: u32 = 64u;
override INPUT_F16: bool = false;
override WANDA: bool = false;

const SMALLEST_NORMAL_BITS: u32 = 0x00800000u;  // 2^-126

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  if (t >= params.rows * params.cols) {
    return;
  }
  let by_rows = params.row_fastest != 0u;
  let r = select(t / params.cols, t % params.rows, by_rows);
  let c = select(t % params.cols, t / params.rows, by_rows);
  let e = r * params.row_stride + c * params.col_stride;
  var bits: u32;
  if (INPUT_F16) {
    bits = f16_bits_to_f32_bits((weights[e >> 1u] >> ((e & 1u) * 16u)) & 0xffffu);
  } else {
    bits = weights[e];
  }
  let out = r * params.cols + c;
  if ((bits & 0x7f800000u) == 0x7f800000u) {
    atomicMin(&status[0], out);
  }
  var key = bits & 0x7fffffffu;
  if (WANDA) {
    if (key < SMALLEST_NORMAL_BITS) {
      key = 0u;
    } else {
      key = bitcast<u32>(bitcast<f32>(key) * norms[c]) & 0x7fffffffu;
      key = select(key, 0u, key < SMALLEST_NORMAL_BITS);
    }
  }
  keys[out] = key;
  values[out] = bits;
}
