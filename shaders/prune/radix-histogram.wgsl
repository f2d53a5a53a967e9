// One pass of the per-tensor radix select (src/kernels/prune/radix-select.ts): the histogram of one
// 8-bit digit of the composite key (score bits, row-major index), 64 bits read from the top, over the
// elements whose higher digits equal the prefix chosen so far. With radix-select.wgsl after each pass
// this finds the k-th smallest (score, index) — pruneMaskRef's cut, ties → lower index — without a sort.
// Helpers: none
// Bindings: 0 params; 1 keys: u32 [count] score bits (prune-scores.wgsl); 2 state: Select (prefix so
//   far, rank of the wanted element among the matching ones, done); 3 hist: atomic<u32> [256] element
//   counts per digit, added to (radix-select.wgsl reads and clears them).
// Dispatch: ⌈count / (WG_SIZE·ITEMS_PER_THREAD)⌉ workgroups, folded into (x, y) past
// maxComputeWorkgroupsPerDimension; workgroup w = y·num_workgroups.x + x takes the elements
// w·WG_SIZE·ITEMS_PER_THREAD + i·WG_SIZE + local index. Once state.done is set it adds nothing.

struct Params {
  count: u32,        // elements (rows·cols)
  key_mask: u32,     // score bits already chosen (all ones while index digits are chosen)
  index_mask: u32,   // index bits already chosen
  from_index: u32,   // 1: this digit is one of the index, 0: one of the score bits
  shift: u32,        // digit = (word >> shift) & 0xff
}

struct Select {
  prefix_key: u32,
  prefix_index: u32,
  rank: u32,         // 1-based rank of the wanted element among those matching the prefix
  done: u32,         // 1: prefix_key / prefix_index already are the cut
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> keys: array<u32>;
@group(0) @binding(2) var<storage, read> state: Select;
@group(0) @binding(3) var<storage, read_write> hist: array<atomic<u32>, 256>;

override WG_SIZE: u32 = 256u;
override ITEMS_PER_THREAD: u32 = 16u;

var<workgroup> local_hist: array<atomic<u32>, 256>;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let first = (wid.y * nwg.x + wid.x) * WG_SIZE * ITEMS_PER_THREAD;
  if (state.done == 0u) {
    let prefix_key = state.prefix_key;
    let prefix_index = state.prefix_index;
    for (var i = 0u; i < ITEMS_PER_THREAD; i++) {
      let e = first + i * WG_SIZE + lid;
      if (e < params.count) {
        let key = keys[e];
        if ((key & params.key_mask) == prefix_key && (e & params.index_mask) == prefix_index) {
          let word = select(key, e, params.from_index != 0u);
          atomicAdd(&local_hist[(word >> params.shift) & 0xffu], 1u);
        }
      }
    }
  }
  workgroupBarrier();
  for (var b = lid; b < 256u; b += WG_SIZE) {
    let n = atomicLoad(&local_hist[b]);
    if (n != 0u) {
      atomicAdd(&hist[b], n);
    }
  }
}
