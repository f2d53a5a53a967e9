// Per-row cut for unstructured pruning with scope 'row' (src/kernels/prune/row-select.ts): one
// workgroup selects, in its row, the k-th smallest composite key (score bits, column) by the same
// radix select as radix-histogram.wgsl + radix-select.wgsl (8-bit digits from the top: 4 of the score,
// then index_digits of the column), with the histogram in workgroup memory. The cut (largest pruned
// key and column) matches pruneMaskRef (src/quant/prune/prune-select.ts): ties → lower column first.
// Helpers: none
// Bindings: 0 params; 1 keys: u32 [rows·cols] row-major score bits (prune-scores.wgsl);
//   2 state: Select [rows] per-row cut, written (prefix_key, prefix_index = column, rank, done).
// Dispatch: one workgroup per row, rows folded into (x, y) past maxComputeWorkgroupsPerDimension;
// row = y·num_workgroups.x + x. Needs k ≥ 1.

struct Params {
  rows: u32,
  cols: u32,
  k: u32,             // elements pruned per row, 1 ≤ k < cols
  index_digits: u32,  // 8-bit digits of the column: ⌈bit length of (cols − 1) / 8⌉
}

struct Select {
  prefix_key: u32,
  prefix_index: u32,
  rank: u32,
  done: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> keys: array<u32>;
@group(0) @binding(2) var<storage, read_write> state: array<Select>;

override WG_SIZE: u32 = 64u;

var<workgroup> hist: array<atomic<u32>, 256>;
var<workgroup> sel: Select;

/** Mask of the bits at and above `bit` (0 when bit ≥ 32). */
fn bits_from(bit: u32) -> u32 {
  return select(0xffffffffu << min(bit, 31u), 0u, bit >= 32u);
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= params.rows) {
    return;
  }
  if (lid == 0u) {
    sel = Select(0u, 0u, params.k, 0u);
  }
  let base = row * params.cols;
  for (var digit = 0u; digit < 4u + params.index_digits; digit++) {
    let s = workgroupUniformLoad(&sel);
    if (s.done != 0u) {
      break;
    }
    for (var b = lid; b < 256u; b += WG_SIZE) {
      atomicStore(&hist[b], 0u);
    }
    workgroupBarrier();
    let from_index = digit >= 4u;
    let shift = select(24u - 8u * digit, 8u * (3u + params.index_digits - digit), from_index);
    let key_mask = select(bits_from(shift + 8u), 0xffffffffu, from_index);
    let index_mask = select(0u, bits_from(shift + 8u), from_index);
    for (var c = lid; c < params.cols; c += WG_SIZE) {
      let key = keys[base + c];
      if ((key & key_mask) == s.prefix_key && (c & index_mask) == s.prefix_index) {
        atomicAdd(&hist[(select(key, c, from_index) >> shift) & 0xffu], 1u);
      }
    }
    workgroupBarrier();
    if (lid == 0u) {
      var before = 0u;
      for (var b = 0u; b < 256u; b++) {
        let n = atomicLoad(&hist[b]);
        if (before + n >= s.rank) {
          let rank = s.rank - before;
          let low = (1u << shift) - 1u;
          if (from_index) {
            sel.prefix_index |= b << shift;
            sel.done = select(0u, 1u, rank == n);
            sel.prefix_index |= select(0u, low, rank == n);
          } else {
            sel.prefix_key |= (b << shift) | select(0u, low, rank == n);
            sel.prefix_index = select(0u, 0xffffffffu, rank == n);
            sel.done = select(0u, 1u, rank == n);
          }
          sel.rank = rank;
          break;
        }
        before += n;
      }
    }
  }
  if (lid == 0u) {
    state[row] = sel;
  }
}
