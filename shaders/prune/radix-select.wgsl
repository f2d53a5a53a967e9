// After each radix-histogram.wgsl pass: picks the digit whose bin holds the rank-th matching element,
// appends it to the prefix and makes the rank relative to that bin; clears the bins for the next
// pass. When the bin is used up exactly (rank = its count), every element matching the new prefix is
// cut, so the remaining low bits become all ones and `done` is set (later passes do nothing). The
// final prefix (key, index) is the largest pruned composite key, as in pruneMaskRef (src/quant/prune/prune-select.ts).
// Helpers: none
// Bindings: 0 params (radix-histogram.wgsl's, same pass); 1 hist: u32 [256] counts, read and zeroed;
//   2 state: Select, updated.
// Dispatch: 1 workgroup of WG_SIZE = 1: one invocation scans the 256 bins in order (256 additions,
// cheaper than a parallel scan's barriers).

struct Params {
  count: u32,
  key_mask: u32,
  index_mask: u32,
  from_index: u32,
  shift: u32,
}

struct Select {
  prefix_key: u32,
  prefix_index: u32,
  rank: u32,
  done: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> hist: array<u32, 256>;
@group(0) @binding(2) var<storage, read_write> state: Select;

override WG_SIZE: u32 = 1u;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(local_invocation_index) lid: u32) {
  if (lid != 0u) {
    return;
  }
  if (state.done == 0u) {
    var before = 0u;
    for (var b = 0u; b < 256u; b++) {
      let n = hist[b];
      if (before + n >= state.rank) {
        let rank = state.rank - before;
        let low = (1u << params.shift) - 1u;  // bits below this digit
        if (params.from_index != 0u) {
          state.prefix_index |= b << params.shift;
          if (rank == n) {
            state.prefix_index |= low;
            state.done = 1u;
          }
        } else {
          state.prefix_key |= b << params.shift;
          if (rank == n) {
            state.prefix_key |= low;
            state.prefix_index = 0xffffffffu;
            state.done = 1u;
          }
        }
        state.rank = rank;
        break;
      }
      before += n;
    }
  }
  for (var b = 0u; b < 256u; b++) {
    hist[b] = 0u;
  }
}
