// Sums pairs of f32 (e.g. the (Σ(w − ŵ)², Σw²) partials of quant/rtn.wgsl): each workgroup adds
// WG_SIZE·ITEMS_PER_THREAD consecutive pairs of `src` (strided by WG_SIZE, so reads coalesce) and a
// tree in workgroup memory, writing one pair per workgroup to `dst`. The wrapper repeats passes
// until one pair is left. Matches the reference's float64 sums to f32 rounding (~1e-6 relative).
// Helpers: none
// Bindings: 0 params; 1 src: vec2<f32> [count]; 2 dst: vec2<f32> [⌈count / (WG_SIZE·ITEMS_PER_THREAD)⌉].
// Dispatch: ⌈count / (WG_SIZE·ITEMS_PER_THREAD)⌉ workgroups, folded into (x, y) past
// maxComputeWorkgroupsPerDimension; linear id = y·num_workgroups.x + x (ids past the end write nothing).

struct Params {
  count: u32,  // pairs in src
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec2<f32>>;

override WG_SIZE: u32 = 64u;            // power of two
override ITEMS_PER_THREAD: u32 = 16u;

var<workgroup> acc: array<vec2<f32>, WG_SIZE>;

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let wg = wid.y * nwg.x + wid.x;
  let first = wg * WG_SIZE * ITEMS_PER_THREAD;
  var s = vec2(0.0);
  for (var i = 0u; i < ITEMS_PER_THREAD; i++) {
    let j = first + i * WG_SIZE + lid;
    if (j < params.count) {
      s += src[j];
    }
  }
  acc[lid] = s;
  workgroupBarrier();
  for (var k = WG_SIZE / 2u; k > 0u; k >>= 1u) {
    if (lid < k) {
      acc[lid] += acc[lid + k];
    }
    workgroupBarrier();
  }
  if (lid == 0u && first < params.count) {
    dst[wg] = acc[0];
  }
}
