// Quantization of f32 rows into ggml Q4_K (144-byte super-blocks: d @0, dmin @2, scales[12] @4,
// qs[128] @16) or Q5_K (176 bytes: same, then qh[32] @16, qs[128] @48), following
// quantize_row_q4_K_ref / q5_K_ref and make_qkx2_quants (squared error) operation by operation in
// float32 (src/quant/ggml/block-q4_k-q5_k.ts, kquant-search.ts; docs/FORMATS.md §4.5): divisions
// and sqrt correctly rounded (div_rn, sqrt_rn), nearest_int = round (ties to even), and each product
// the reference rounds before a sum goes through opaque(), so no fma skips it. TYPE: 12 Q4_K, 13 Q5_K.
// Helpers: common/div-rn.wgsl, ggml/common/sqrt-rn.wgsl, ggml/common/f16-bits.wgsl
// Bindings: 0 params; 1 values: f32, blocks·256 finite elements; 2 out: u32 words of the block bytes
//   (little-endian, zero-initialised; written with atomicOr like the other ggml quantizers).
// Dispatch: ⌈8·blocks / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension.
// Eight invocations per super-block, one per 32-element sub-block j (its scale search is nearly all
// the work): super-block b = (y·num_workgroups.x + x)·WG_SIZE/8 + local index / 8, j = local index % 8.
// They share their sub-block scales and mins through workgroup memory, each derives the super-block's
// d and dmin from all eight (the same maximum in any order), then quantizes and ORs in its own bits.

struct Params {
  blocks: u32,
  opaque_zero: u32,  // always 0, but unknown to the compiler: see opaque()
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<atomic<u32>>;

override WG_SIZE: u32 = 64u;
override TYPE: u32 = 12u;
override FIVE: bool = TYPE == 13u;
override BLOCK_BYTES: u32 = select(144u, 176u, FIVE);
override NMAX: i32 = select(15, 31, FIVE);
override RMIN: f32 = select(-1.0, -0.5, FIVE);
override NSTEP: i32 = select(20, 15, FIVE);

const SUB_BLOCKS: u32 = 8u;

var<private> codes: array<u32, 32>;  // this invocation's sub-block
var<private> aux: array<u32, 32>;
var<private> weights: array<f32, 32>;
var<private> base: u32;
var<private> block_word: u32;  // first output word of the super-block
var<workgroup> sub_scales: array<f32, WG_SIZE>;
var<workgroup> sub_mins: array<f32, WG_SIZE>;

fn opaque(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) | params.opaque_zero);
}

/** ORs byte value v into byte k of the super-block (other invocations own the other bits). */
fn or_byte(k: u32, v: u32) {
  atomicOr(&out[block_word + (k >> 2u)], (v & 0xffu) << ((k & 3u) * 8u));
}

// make_qkx2_quants(32, NMAX, x, weights, L, Laux, RMIN, 0.1, NSTEP, false) on elements first…first+31:
// codes into `codes` (0…31); returns (scale, −min).
fn make_qkx2_quants(first: u32) -> vec2<f32> {
  var mn = values[base + first];
  var mx = mn;
  var sum_w = weights[0];
  var sum_x = sum_w * mn;
  for (var i = 1u; i < 32u; i++) {
    let x = values[base + first + i];
    mn = select(mn, x, x < mn);
    mx = select(mx, x, x > mx);
    sum_w += weights[i];
    sum_x += opaque(weights[i] * x);
  }
  mn = select(mn, 0.0, mn > 0.0);
  if (mx == mn) {
    for (var i = 0u; i < 32u; i++) {
      codes[i] = 0u;
    }
    return vec2(0.0, -mn);
  }
  var iscale = div_rn(f32(NMAX), mx - mn);
  var scale = div_rn(1.0, iscale);
  var best_error = 0.0;
  for (var i = 0u; i < 32u; i++) {
    let x = values[base + first + i];
    let l = clamp(i32(round(iscale * (x - mn))), 0, NMAX);
    codes[i] = u32(l);
    let diff = (opaque(scale * f32(l)) + mn) - x;
    best_error += opaque(weights[i] * (diff * diff));
  }
  for (var s = 0; s <= NSTEP; s++) {
    iscale = div_rn((RMIN + opaque(0.1f * f32(s))) + f32(NMAX), mx - mn);
    var sum_l = 0.0;
    var sum_l2 = 0.0;
    var sum_xl = 0.0;
    for (var i = 0u; i < 32u; i++) {
      let x = values[base + first + i];
      let l = clamp(i32(round(iscale * (x - mn))), 0, NMAX);
      aux[i] = u32(l);
      let wl = weights[i] * f32(l);
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
      for (var i = 0u; i < 32u; i++) {
        let diff = (opaque(this_scale * f32(aux[i])) + this_min) - values[base + first + i];
        cur_error += opaque(weights[i] * (diff * diff));
      }
      if (cur_error < best_error) {
        for (var i = 0u; i < 32u; i++) {
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
    var sum_x2 = 0.0;
    for (var l = 0u; l < 32u; l++) {
      let x = values[base + 32u * j + l];
      sum_x2 += opaque(x * x);
    }
    let av_x = sqrt_rn(div_rn(sum_x2, 32.0));
    for (var l = 0u; l < 32u; l++) {
      weights[l] = av_x + abs(values[base + 32u * j + l]);
    }
    r = make_qkx2_quants(32u * j);
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
  block_word = b * (BLOCK_BYTES / 4u);
  let inv_scale = select(0.0, div_rn(63.0, max_scale), max_scale > 0.0);
  let inv_min = select(0.0, div_rn(63.0, max_min), max_min > 0.0);
  let ls = min(63u, u32(i32(round(inv_scale * r.x))) & 0xffu);
  let lm = min(63u, u32(i32(round(inv_min * r.y))) & 0xffu);
  // 6-bit pairs in 12 bytes @4 (packScaleMinK4 / get_scale_min_k4).
  if (j < 4u) {
    or_byte(4u + j, ls);
    or_byte(8u + j, lm);
  } else {
    or_byte(8u + j, (ls & 0xfu) | ((lm & 0xfu) << 4u));
    or_byte(j, (ls >> 4u) << 6u);
    or_byte(4u + j, (lm >> 4u) << 6u);
  }
  let d_bits = f32_to_f16_bits(div_rn(max_scale, 63.0));
  let dmin_bits = f32_to_f16_bits(div_rn(max_min, 63.0));
  if (j == 0u) {
    or_byte(0u, d_bits);
    or_byte(1u, d_bits >> 8u);
    or_byte(2u, dmin_bits);
    or_byte(3u, dmin_bits >> 8u);
  }
  let d = f16_bits_to_f32(d_bits);
  let dmin = f16_bits_to_f32(dmin_bits);
  let dl = d * f32(ls);  // exact: an fp16 times a 6-bit code
  if (dl != 0.0) {  // else the codes of the search stay, as in the reference
    let dm = dmin * f32(lm);
    for (var ii = 0u; ii < 32u; ii++) {
      codes[ii] = u32(clamp(i32(round(div_rn(values[base + 32u * j + ii] + dm, dl))), 0, NMAX));
    }
  }
  // Chunk c = j / 2 of 64 elements: byte 32c + l holds element 64c + l (low nibble, even j) and
  // 64c + l + 32 (high nibble, odd j); Q5_K's fifth bits go to qh[l], bit 2c + j % 2.
  let half = j & 1u;
  let qs_word = (select(16u, 48u, FIVE) + 32u * (j >> 1u)) / 4u;
  for (var w = 0u; w < 8u; w++) {
    var low = 0u;
    var fifth = 0u;
    for (var k = 0u; k < 4u; k++) {
      let code = codes[4u * w + k];
      low |= ((code & 0xfu) << (4u * half)) << (8u * k);
      fifth |= ((code >> 4u) << (j & 7u)) << (8u * k);
    }
    atomicOr(&out[block_word + qs_word + w], low);
    if (FIVE) {
      atomicOr(&out[block_word + 4u + w], fifth);
    }
  }
}
