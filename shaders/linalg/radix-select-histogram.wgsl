// One counting pass of a radix selection (8 bits a round, most significant first) of the k-th
// smallest of rows × cols non-negative f32 values, whose bit patterns order like the values: counts
// the values whose bits above this round's byte equal the prefix found so far, by that byte. With
// radix-select-pick.wgsl, four rounds give sorted(values)[k] exactly, the threshold of
// sparseGptRef's unstructured mask (src/quant/linalg/sparsegpt.ts).
// Helpers: none
// Bindings: 0 params; 1 values: f32 [rows] × [cols] at offset + r·row_stride + c (≥ 0, not NaN);
//   2 select: u32 [258]: [0, 256) histogram (atomicAdd; zero on entry), [256] prefix, [257] rank left.
// Dispatch: any number of workgroups (1-D); invocations stride over the values by the grid size.

struct Params {
  rows: u32,
  cols: u32,
  offset: u32,
  row_stride: u32,
  round: u32,  // 0…3: this round's byte is bits [24 − 8·round, 32 − 8·round)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> select_state: array<atomic<u32>>;

override WG_SIZE: u32 = 256u;  // ≥ 256: invocation b flushes bin b

var<workgroup> local_hist: array<atomic<u32>, 256>;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  if (lid < 256u) {
    atomicStore(&local_hist[lid], 0u);
  }
  workgroupBarrier();
  let shift = 24u - 8u * params.round;
  let prefix = atomicLoad(&select_state[256]);
  let total = params.rows * params.cols;
  for (var e = gid.x; e < total; e += nwg.x * WG_SIZE) {
    let r = e / params.cols;
    let c = e % params.cols;
    let bits = bitcast<u32>(values[params.offset + r * params.row_stride + c]);
    // Round 0 has no prefix; later rounds keep values whose higher bytes match it.
    if (params.round == 0u || (bits >> (shift + 8u)) == prefix) {
      atomicAdd(&local_hist[(bits >> shift) & 0xffu], 1u);
    }
  }
  workgroupBarrier();
  if (lid < 256u) {
    let n = atomicLoad(&local_hist[lid]);
    if (n != 0u) {
      atomicAdd(&select_state[lid], n);
    }
  }
}
