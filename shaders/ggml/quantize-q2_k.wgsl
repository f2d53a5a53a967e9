// Quantization of f32 rows into ggml Q2_K super-blocks (256 elements, 84 bytes: scales[16] @0 (low
// nibble scale code, high nibble min code), qs[64] @16, d fp16 @80, dmin fp16 @82), following
// quantize_row_q2_K_ref and make_qkx2_quants (16 elements, weights |x|, absolute error) operation by
// operation in float32 (src/quant/ggml/block-q2_k.ts, kquant-search.ts; docs/FORMATS.md §4.5):
// divisions correctly rounded (div_rn), nearest_int = round (ties to even), and each product the
// reference rounds before a sum goes through opaque(), so no fma skips it.
// Helpers: common/div-rn.wgsl, ggml/common/f16-bits.wgsl
// Bindings: 0 params; 1 values: f32, blocks·256 finite elements; 2 out: u32 words of the block bytes
//   (little-endian, zero-initialised; written with atomicOr like the other ggml quantizers).
// Dispatch: ⌈blocks / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension;
// one invocation per super-block b = (y·num_workgroups.x + x)·WG_SIZE + local index.

struct Params {
  blocks: u32,
  opaque_zero: u32,  // always 0, but unknown to the compiler: see opaque()
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<atomic<u32>>;

override WG_SIZE: u32 = 64u;

const BLOCK_BYTES = 84u;  // a multiple of 4: blocks own whole words
const NMAX = 3;
const RMIN = -0.5f;
const NSTEP = 15;

var<private> codes: array<u32, 256>;
var<private> aux: array<u32, 16>;
var<private> staged: array<u32, 21>;
var<private> base: u32;

fn opaque(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) | params.opaque_zero);
}

fn put_byte(k: u32, v: u32) {
  staged[k >> 2u] |= (v & 0xffu) << ((k & 3u) * 8u);
}

// make_qkx2_quants(16, 3, x, |x|, L, Laux, −0.5, 0.1, 15, use_mad = true) on elements first…first+15:
// codes into `codes`; returns (scale, −min).
fn make_qkx2_quants(first: u32) -> vec2<f32> {
  var mn = values[base + first];
  var mx = mn;
  var sum_w = abs(mn);
  var sum_x = sum_w * mn;
  for (var i = 1u; i < 16u; i++) {
    let x = values[base + first + i];
    mn = select(mn, x, x < mn);
    mx = select(mx, x, x > mx);
    sum_w += abs(x);
    sum_x += opaque(abs(x) * x);
  }
  mn = select(mn, 0.0, mn > 0.0);
  if (mx == mn) {
    for (var i = 0u; i < 16u; i++) {
      codes[first + i] = 0u;
    }
    return vec2(0.0, -mn);
  }
  var iscale = div_rn(f32(NMAX), mx - mn);
  var scale = div_rn(1.0, iscale);
  var best_error = 0.0;
  for (var i = 0u; i < 16u; i++) {
    let x = values[base + first + i];
    let l = clamp(i32(round(iscale * (x - mn))), 0, NMAX);
    codes[first + i] = u32(l);
    let diff = (opaque(scale * f32(l)) + mn) - x;
    best_error += opaque(abs(x) * abs(diff));
  }
  for (var s = 0; s <= NSTEP; s++) {
    iscale = div_rn((RMIN + opaque(0.1f * f32(s))) + f32(NMAX), mx - mn);
    var sum_l = 0.0;
    var sum_l2 = 0.0;
    var sum_xl = 0.0;
    for (var i = 0u; i < 16u; i++) {
      let x = values[base + first + i];
      let l = clamp(i32(round(iscale * (x - mn))), 0, NMAX);
      aux[i] = u32(l);
      let wl = abs(x) * f32(l);
      sum_l += opaque(wl);
      sum_l2 += opaque(wl * f32(l));
      sum_xl += opaque(wl * x);
    }
    let det = opaque(sum_w * sum_l2) - opaque(sum_l * sum_l);
    if (det > 0.0) {
      var this_scale = div_rn(opaque(sum_w * sum_xl) - opaque(sum_x * sum_l), det);
      var this_min = div_rn(opaque(sum_l2 * sum_x) - opaque(sum_l * sum_xl), det);
      if (this_min > 0.0) {
        this_min = 0.0;
        this_scale = div_rn(sum_xl, sum_l2);
      }
      var cur_error = 0.0;
      for (var i = 0u; i < 16u; i++) {
        let x = values[base + first + i];
        let diff = (opaque(this_scale * f32(aux[i])) + this_min) - x;
        cur_error += opaque(abs(x) * abs(diff));
      }
      if (cur_error < best_error) {
        for (var i = 0u; i < 16u; i++) {
          codes[first + i] = aux[i];
        }
        best_error = cur_error;
        scale = this_scale;
        mn = this_min;
      }
    }
  }
  return vec2(scale, -mn);
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let b = (wid.y * nwg.x + wid.x) * WG_SIZE + lid;
  if (b >= params.blocks) {
    return;
  }
  base = b * 256u;

  var scales: array<f32, 16>;
  var mins: array<f32, 16>;
  var max_scale = 0.0;
  var max_min = 0.0;
  for (var j = 0u; j < 16u; j++) {
    let r = make_qkx2_quants(16u * j);
    scales[j] = r.x;
    mins[j] = r.y;
    max_scale = select(max_scale, r.x, r.x > max_scale);
    max_min = select(max_min, r.y, r.y > max_min);
  }
  var sc: array<u32, 16>;  // the scales bytes: scale code | min code << 4
  var d_bits = 0u;
  if (max_scale > 0.0) {
    let iscale = div_rn(15.0, max_scale);
    for (var j = 0u; j < 16u; j++) {
      sc[j] = u32(i32(round(iscale * scales[j]))) & 0xffu;
    }
    d_bits = f32_to_f16_bits(div_rn(max_scale, 15.0));
  }
  var dmin_bits = 0u;
  if (max_min > 0.0) {
    let iscale = div_rn(15.0, max_min);
    for (var j = 0u; j < 16u; j++) {
      sc[j] = (sc[j] | (u32(i32(round(iscale * mins[j]))) << 4u)) & 0xffu;
    }
    dmin_bits = f32_to_f16_bits(div_rn(max_min, 15.0));
  }
  let d = f16_bits_to_f32(d_bits);
  let dmin = f16_bits_to_f32(dmin_bits);
  for (var j = 0u; j < 16u; j++) {
    put_byte(j, sc[j]);
    let dl = d * f32(sc[j] & 0xfu);  // exact: an fp16 times a 4-bit code
    if (dl == 0.0) {
      continue;
    }
    let dm = dmin * f32(sc[j] >> 4u);
    for (var ii = 0u; ii < 16u; ii++) {
      let e = 16u * j + ii;
      codes[e] = u32(clamp(i32(round(div_rn(values[base + e] + dm, dl))), 0, 3));
    }
  }
  for (var e = 0u; e < 256u; e++) {
    put_byte(16u + 32u * (e >> 7u) + (e & 31u), codes[e] << (2u * ((e & 127u) >> 5u)));
  }
  put_byte(80u, d_bits);
  put_byte(81u, d_bits >> 8u);
  put_byte(82u, dmin_bits);
  put_byte(83u, dmin_bits >> 8u);
  for (var w = 0u; w < BLOCK_BYTES / 4u; w++) {
    atomicOr(&out[b * (BLOCK_BYTES / 4u) + w], staged[w]);
  }
}
