// The picking step after each radix-select-histogram.wgsl pass: finds the byte whose bin holds the
// value of rank k (0-based) among those counted, appends it to the prefix, keeps the rank within
// that bin, and clears the histogram for the next round. After round 3, select[256] holds the bits
// of sorted(values)[k] (as sparseGptRef's `sort(tmp)[int(numel·sparsity)]`, src/quant/linalg/sparsegpt.ts).
// Helpers: none
// Bindings: 0 params; 1 select: u32 [258]: [0, 256) histogram, [256] prefix, [257] rank left.
// Dispatch: 1 workgroup (WG_SIZE ≥ 256; invocation 0 scans).

struct Params {
  rank: u32,   // k, read in round 0 (later rounds read select[257])
  round: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> select_state: array<atomic<u32>>;

override WG_SIZE: u32 = 256u;

var<workgroup> counts: array<u32, 256>;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(local_invocation_index) lid: u32) {
  if (lid < 256u) {
    counts[lid] = atomicLoad(&select_state[lid]);
    atomicStore(&select_state[lid], 0u);
  }
  workgroupBarrier();
  if (lid == 0u) {
    let first = params.round == 0u;
    let k = select(atomicLoad(&select_state[257]), params.rank, first);
    let prefix = select(atomicLoad(&select_state[256]), 0u, first);
    var below = 0u;
    var bin = 255u;
    for (var b = 0u; b < 256u; b++) {
      if (below + counts[b] > k) {
        bin = b;
        break;
      }
      below += counts[b];
    }
    atomicStore(&select_state[256], (prefix << 8u) | bin);
    atomicStore(&select_state[257], k - below);
  }
}
