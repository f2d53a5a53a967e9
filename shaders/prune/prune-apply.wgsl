// Writes the pruned W and its mask, as applyMaskRef(values, pruneMaskRef(...)) (src/quant/prune/prune-select.ts).
// Unstructured: element e of scope s (the tensor, or row e / cols) at index i in it is pruned when
// (keys[e], i) ≤ (state[s].prefix_key, state[s].prefix_index), the cut radix-select or row-select
// found. N_M: element c of a row is pruned when fewer than k = m − n elements of its group of m
// columns have a smaller (score, column). Pruned values become +0; zeros counts values equal to ±0.
// Helpers: none
// Bindings: 0 params; 1 keys: u32 [rows·cols] row-major score bits; 2 state: Select [scopes] (any
//   16 bytes for N_M); 3 values: u32 [rows·cols] row-major f32 bits, pruned ones set to 0;
//   4 mask: u32 [⌈rows·cols / 32⌉], bit e % 32 of word e / 32 = element e pruned;
//   5 zeros: atomic<u32> [1] count of zero values, added to.
// Dispatch: ⌈words / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension;
// one invocation per mask word, word = (y·num_workgroups.x + x)·WG_SIZE + local index.

struct Params {
  count: u32,      // rows·cols
  cols: u32,
  scope_len: u32,  // elements per scope: rows·cols (tensor) or cols (row); unused for N_M
  k: u32,          // pruned per scope (unstructured) or per group (N_M); 0: nothing is pruned
  m: u32,          // N_M group size
  words: u32,      // ⌈count / 32⌉
}

struct Select {
  prefix_key: u32,
  prefix_index: u32,
  rank: u32,
  done: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> keys: array<u32>;
@group(0) @binding(2) var<storage, read> state: array<Select>;
@group(0) @binding(3) var<storage, read_write> values: array<u32>;
@group(0) @binding(4) var<storage, read_write> mask: array<u32>;
@group(0) @binding(5) var<storage, read_write> zeros: array<atomic<u32>>;

override WG_SIZE: u32 = 64u;
override N_M: bool = false;

var<workgroup> wg_zeros: atomic<u32>;

fn below_cut(e: u32) -> bool {
  let scope = e / params.scope_len;
  let i = e - scope * params.scope_len;
  let cut = state[scope];
  let key = keys[e];
  return key < cut.prefix_key || (key == cut.prefix_key && i <= cut.prefix_index);
}

fn among_smallest_in_group(e: u32) -> bool {
  let first = e - (e % params.cols) % params.m;
  let key = keys[e];
  var smaller = 0u;
  for (var j = first; j < first + params.m; j++) {
    let other = keys[j];
    smaller += select(0u, 1u, other < key || (other == key && j < e));
  }
  return smaller < params.k;
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let word = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  var zero_count = 0u;
  if (word < params.words) {
    var bits = 0u;
    let end = min(32u, params.count - word * 32u);
    for (var b = 0u; b < end; b++) {
      let e = word * 32u + b;
      var pruned = false;
      if (params.k != 0u) {
        if (N_M) {
          pruned = among_smallest_in_group(e);
        } else {
          pruned = below_cut(e);
        }
      }
      if (pruned) {
        values[e] = 0u;
        bits |= 1u << b;
        zero_count++;
      } else if ((values[e] & 0x7fffffffu) == 0u) {
        zero_count++;
      }
    }
    mask[word] = bits;
  }
  atomicAdd(&wg_zeros, zero_count);
  workgroupBarrier();
  if (lid == 0u) {
    atomicAdd(&zeros[0], atomicLoad(&wg_zeros));
  }
}
