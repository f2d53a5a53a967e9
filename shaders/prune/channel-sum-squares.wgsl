// Channel scores for structured pruning, as channelSumSquaresRef (src/quant/prune/channels.ts): Σ W²
// of every channel of W[rows = out][cols = in] in f32, one invocation per channel summing in index
// order, read in W's storage layout and dtype. A channel is a row (AXIS_ROWS, summed over c =
// 0..cols-1) or a column (summed over r = 0..rows-1). Weights and squares below 2^-126 count as 0
// (a GPU may flush subnormals; the reference does the same). Each square goes through opaque(), so
// no fma can skip its rounding: acc + v·v is two correctly rounded f32 operations, bit for bit the
// reference. A sum that reaches +Inf stays +Inf (its bits are tested, not assumed).
// Helpers: ggml/common/f16-bits.wgsl
// Bindings: 0 params; 1 weights: u32 words of W in storage order, element r·row_stride + c·col_stride,
//   f32 bits or (INPUT_F16) two f16 per word, low half first; 2 sums: u32 [channels] f32 bits of Σ W²;
//   3 status: [0] = lowest row-major index r·cols + c of a non-finite weight (0xffffffff: none), atomicMin.
// Dispatch: ⌈channels / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension;
// channel ch = (y·num_workgroups.x + x)·WG_SIZE + local index.

struct Params {
  rows: u32,
  cols: u32,
  row_stride: u32,   // elements between W[r][c] and W[r+1][c] in storage
  col_stride: u32,   // elements between W[r][c] and W[r][c+1] in storage
  opaque_zero: u32,  // always 0, but unknown to the compiler: see opaque()
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> weights: array<u32>;
@group(0) @binding(2) var<storage, read_write> sums: array<u32>;
@group(0) @binding(3) var<storage, read_write> status: array<atomic<u32>>;

override WG_SIZE: u32 = 64u;
override INPUT_F16: bool = false;
override AXIS_ROWS: bool = true;

const SMALLEST_NORMAL_BITS: u32 = 0x00800000u;  // 2^-126
const INF_BITS: u32 = 0x7f800000u;

// The bits of x, as a value the compiler cannot see through: keeps v·v rounded before the addition.
fn opaque(x: f32) -> u32 {
  return bitcast<u32>(x) | params.opaque_zero;
}

fn weight_bits(e: u32) -> u32 {
  if (INPUT_F16) {
    return f16_bits_to_f32_bits((weights[e >> 1u] >> ((e & 1u) * 16u)) & 0xffffu);
  }
  return weights[e];
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let ch = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  let channels = select(params.cols, params.rows, AXIS_ROWS);
  if (ch >= channels) {
    return;
  }
  let length = select(params.rows, params.cols, AXIS_ROWS);
  let base = ch * select(params.col_stride, params.row_stride, AXIS_ROWS);
  let step = select(params.row_stride, params.col_stride, AXIS_ROWS);
  var acc = 0.0f;
  var inf = false;
  for (var i = 0u; i < length; i++) {
    let bits = weight_bits(base + i * step);
    if ((bits & INF_BITS) == INF_BITS) {
      let r = select(i, ch, AXIS_ROWS);
      let c = select(ch, i, AXIS_ROWS);
      atomicMin(&status[0], r * params.cols + c);
      return;
    }
    let a = bits & 0x7fffffffu;
    if (inf || a < SMALLEST_NORMAL_BITS) {
      continue;
    }
    let v = bitcast<f32>(a);
    let sq = opaque(v * v);
    if (sq < SMALLEST_NORMAL_BITS) {
      continue;
    }
    acc = acc + bitcast<f32>(sq);
    inf = sq >= INF_BITS || bitcast<u32>(acc) >= INF_BITS;
  }
  sums[ch] = select(bitcast<u32>(acc), INF_BITS, inf);
}
