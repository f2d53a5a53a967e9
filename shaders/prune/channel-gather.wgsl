// The kept channels of W[rows = out][cols = in], row-major f32, as gatherChannelsRef
// (src/quant/prune/channels.ts): kept rows (AXIS_ROWS: out [kept][cols], out[j][c] = W[kept[j]][c])
// or kept columns (out [rows][kept], out[r][j] = W[r][kept[j]]), read in W's storage layout and
// dtype. Values are copied as bits (f16 decoded exactly), so −0 and subnormals survive.
// Helpers: ggml/common/f16-bits.wgsl
// Bindings: 0 params; 1 weights: u32 words of W in storage order, element r·row_stride + c·col_stride,
//   f32 bits or (INPUT_F16) two f16 per word, low half first; 2 kept: u32 [kept] strictly ascending
//   channel indices; 3 out: u32 [out_rows·out_cols] row-major f32 bits.
// Dispatch: ⌈out_rows·out_cols / WG_SIZE⌉ workgroups, folded into (x, y) past
// maxComputeWorkgroupsPerDimension; element t = (y·num_workgroups.x + x)·WG_SIZE + local index. With
// row_fastest, t walks the output rows first (i = t % out_rows) so that reads of a [K, N]-stored W coalesce.

struct Params {
  out_rows: u32,     // kept (AXIS_ROWS) or rows
  out_cols: u32,     // cols (AXIS_ROWS) or kept
  row_stride: u32,   // elements between W[r][c] and W[r+1][c] in storage
  col_stride: u32,   // elements between W[r][c] and W[r][c+1] in storage
  row_fastest: u32,  // 1: consecutive invocations take consecutive output rows
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> weights: array<u32>;
@group(0) @binding(2) var<storage, read> kept: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

override WG_SIZE: u32 = 64u;
override INPUT_F16: bool = false;
override AXIS_ROWS: bool = true;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  if (t >= params.out_rows * params.out_cols) {
    return;
  }
  let by_rows = params.row_fastest != 0u;
  let i = select(t / params.out_cols, t % params.out_rows, by_rows);
  let j = select(t % params.out_cols, t / params.out_rows, by_rows);
  // i indexes kept only for AXIS_ROWS, j only otherwise (select() would read both).
  var r = i;
  var c = j;
  if (AXIS_ROWS) {
    r = kept[i];
  } else {
    c = kept[j];
  }
  let e = r * params.row_stride + c * params.col_stride;
  var bits: u32;
  if (INPUT_F16) {
    bits = f16_bits_to_f32_bits((weights[e >> 1u] >> ((e & 1u) * 16u)) & 0xffffu);
  } else {
    bits = weights[e];
  }
  out[i * params.out_cols + j] = bits;
}
