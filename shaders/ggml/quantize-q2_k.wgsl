// Quantization of f32 rows into ggml Q2_K super-blocks (256 elements, 84 bytes: scales[16] @0 (low
// nibble scale code, high nibble min code), qs[64] @16, d fp16 @80, dmin fp16 @82), following
// quantize_row_q2_K_ref and make_qkx2_quants (16 elements, weights |x|, absolute error) operation by
// operation in float32 (src/quant/ggml/block-q2_k.ts, kquant-search.ts; docs/FORMATS.md §4.5):
// divisions correctly rounded (div_rn), nearest_int = round (ties to even), and each product the
// reference rounds before a sum goes through opaque(), so no fma skips it.
// Helpers: common/div-rn.wgsl, ggml/common/f16-bits.wgsl
// Bindings: 0 params; 1 values: f32, blocks·256 finite elements; 2 out: u32 words of the block bytes
//   (little-endian, zero-initialised; written with atomicOr like the other ggml quantizers).
// Dispatch: ⌈16·blocks / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension.
// Sixteen invocations per super-block, one per 16-element sub-block j (its scale search is nearly
// all the work): super-block b = (y·num_workgroups.x + x)·WG_SIZE/16 + local index / 16, j = local
// index % 16. They share their scales and mins through workgroup memory, each derives d and dmin
// from all sixteen (the same maximum in any order), then quantizes and ORs in its own bits.

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

const SUB_BLOCKS: u32 = 16u;

var<private> codes: array<u32, 16>;  // this invocation's sub-block
var<private> aux: array<u32, 16>;
var<private> base: u32;
var<private> block_byte: u32;        // the block's first byte in `out` (a multiple of 4)
var<workgroup> sub_scales: array<f32, WG_SIZE>;
var<workgroup> sub_mins: array<f32, WG_SIZE>;

fn opaque(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) | params.opaque_zero);
}

/** ORs byte value v into byte k of the block (other invocations own the other bits). */
fn or_byte(k: u32, v: u32) {
  let p = block_byte + k;
  atomicOr(&out[p >> 2u], (v & 0xffu) << ((p & 3u) * 8u));
}

// make_qkx2_quants(16, 3, x, |x|, L, Laux, −0.5, 0.1, 15, use_mad = true) on elements first…first+15:
// codes into `codes` (0…15); returns (scale, −min).
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
      codes[i] = 0u;
    }
    return vec2(0.0, -mn);
  }
  var iscale = div_rn(f32(NMAX), mx - mn);
  var scale = div_rn(1.0, iscale);
  var best_error = 0.0;
  for (var i = 0u; i < 16u; i++) {
    let x = values[base + first + i];
    let l = clamp(i32(round(iscale * (x - mn))), 0, NMAX);
    codes[i] = u32(l);
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
          codes[i] = aux[i];
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
  let j = lid % SUB_BLOCKS;
  let first_sibling = lid - j;
  let b = (wid.y * nwg.x + wid.x) * (WG_SIZE / SUB_BLOCKS) + lid / SUB_BLOCKS;
  let busy = b < params.blocks;
  var r = vec2(0.0, 0.0);
  if (busy) {
    base = b * 256u;
    r = make_qkx2_quants(16u * j);
  }
  sub_scales[lid] = r.x;
  sub_mins[lid] = r.y;
  workgroupBarrier();
  if (!busy) {
    return;
  }
  var max_scale = 0.0;
  var max_min = 0.0;
  for (var k = 0u; k < SUB_BLOCKS; k++) {
    let sc = sub_scales[first_sibling + k];
    let mn = sub_mins[first_sibling + k];
    max_scale = select(max_scale, sc, sc > max_scale);
    max_min = select(max_min, mn, mn > max_min);
  }
  block_byte = b * BLOCK_BYTES;
  var sc = 0u;  // this sub-block's scales byte: scale code | min code << 4
  var d_bits = 0u;
  if (max_scale > 0.0) {
    sc = u32(i32(round(div_rn(15.0, max_scale) * r.x))) & 0xffu;
    d_bits = f32_to_f16_bits(div_rn(max_scale, 15.0));
  }
  var dmin_bits = 0u;
  if (max_min > 0.0) {
    sc = (sc | (u32(i32(round(div_rn(15.0, max_min) * r.y))) << 4u)) & 0xffu;
    dmin_bits = f32_to_f16_bits(div_rn(max_min, 15.0));
  }
  let d = f16_bits_to_f32(d_bits);
  let dmin = f16_bits_to_f32(dmin_bits);
  or_byte(j, sc);
  let dl = d * f32(sc & 0xfu);  // exact: an fp16 times a 4-bit code
  if (dl != 0.0) {  // else the codes of the search stay, as in the reference
    let dm = dmin * f32(sc >> 4u);
    for (var ii = 0u; ii < 16u; ii++) {
      codes[ii] = u32(clamp(i32(round(div_rn(values[base + 16u * j + ii] + dm, dl))), 0, 3));
    }
  }
  // Element e = 16j + ii sits in byte 16 + 32(e / 128) + e % 32 at bit 2((e % 128) / 32): a
  // sub-block fills 16 consecutive bytes (four words) at one bit position.
  let shift = 2u * ((j % 8u) / 2u);
  let word = (block_byte + 16u + 32u * (j / 8u) + 16u * (j % 2u)) / 4u;
  for (var w = 0u; w < 4u; w++) {
    var bits = 0u;
    for (var k = 0u; k < 4u; k++) {
      bits |= (codes[4u * w + k] << shift) << (8u * k);
    }
    atomicOr(&out[word + w], bits);
  }
  if (j == 0u) {
    or_byte(80u, d_bits);
    or_byte(81u, d_bits >> 8u);
    or_byte(82u, dmin_bits);
    or_byte(83u, dmin_bits >> 8u);
  }
}
