// Quantization of f32 rows into ggml Q3_K super-blocks (256 elements, 110 bytes: hmask[32] @0,
// qs[64] @32, scales[12] @96, d fp16 @108), following quantize_row_q3_K_ref and make_q3_quants
// (do_rmse: weights x², coordinate descent) operation by operation in float32
// (src/quant/ggml/block-q3_k.ts, kquant-search.ts; docs/FORMATS.md §4.5): divisions correctly
// rounded (div_rn), nearest_int = round (ties to even), and each product the reference rounds before
// a sum goes through opaque(), so no fma skips it.
// Helpers: common/div-rn.wgsl, ggml/common/f16-bits.wgsl
// Bindings: 0 params; 1 values: f32, blocks·256 finite elements; 2 out: u32 words of the block bytes
//   (little-endian, zero-initialised; blocks straddle words, so each word is written with atomicOr).
// Dispatch: ⌈16·blocks / WG_SIZE⌉ workgroups, folded into (x, y) past maxComputeWorkgroupsPerDimension.
// Sixteen invocations per super-block, one per 16-element sub-block j (its scale search is nearly
// all the work): super-block b = (y·num_workgroups.x + x)·WG_SIZE/16 + local index / 16, j = local
// index % 16. They share their scales through workgroup memory, each finds the super-block's scale
// from all sixteen in the reference's order, then quantizes and ORs in its own bits.

struct Params {
  blocks: u32,
  opaque_zero: u32,  // always 0, but unknown to the compiler: see opaque()
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<atomic<u32>>;

override WG_SIZE: u32 = 64u;

const BLOCK_BYTES = 110u;
const NMAX = 4;
const GROUP_MAX_EPS = 1e-15f;

const SUB_BLOCKS: u32 = 16u;

var<private> codes: array<i32, 16>;  // this invocation's sub-block
var<private> base: u32;
var<private> block_byte: u32;        // the block's first byte in `out`
var<workgroup> sub_scales: array<f32, WG_SIZE>;

fn opaque(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) | params.opaque_zero);
}

/** ORs byte value v into byte k of the block (other invocations own the other bits). */
fn or_byte(k: u32, v: u32) {
  let p = block_byte + k;
  atomicOr(&out[p >> 2u], (v & 0xffu) << ((p & 3u) * 8u));
}

/** ORs bytes k0…k0+15 of the block, a word at a time. */
fn or_run(k0: u32, run: array<u32, 16>) {
  var word = (block_byte + k0) >> 2u;
  var bits = 0u;
  for (var i = 0u; i < 16u; i++) {
    let p = block_byte + k0 + i;
    if ((p >> 2u) != word) {
      atomicOr(&out[word], bits);
      word = p >> 2u;
      bits = 0u;
    }
    bits |= (run[i] & 0xffu) << ((p & 3u) * 8u);
  }
  atomicOr(&out[word], bits);
}

// make_q3_quants(16, 4, x, L, do_rmse = true) on elements first…first+15: codes l + 4 into `codes` (0…15)
// (all 0 for a zero sub-block), returns the scale.
fn make_q3_quants(first: u32) -> f32 {
  var mx = 0.0;
  var amax = 0.0;
  for (var i = 0u; i < 16u; i++) {
    let v = values[base + first + i];
    if (abs(v) > amax) {
      amax = abs(v);
      mx = v;
    }
  }
  if (amax < GROUP_MAX_EPS) {
    for (var i = 0u; i < 16u; i++) {
      codes[i] = 0;
    }
    return 0.0;
  }
  let iscale = div_rn(-f32(NMAX), mx);
  var sumlx = 0.0;
  var suml2 = 0.0;
  for (var i = 0u; i < 16u; i++) {
    let x = values[base + first + i];
    let l = clamp(i32(round(iscale * x)), -NMAX, NMAX - 1);
    codes[i] = l;
    let w = x * x;
    sumlx += opaque((w * x) * f32(l));
    suml2 += opaque((w * f32(l)) * f32(l));
  }
  for (var itry = 0; itry < 5; itry++) {
    var changed = 0;
    for (var i = 0u; i < 16u; i++) {
      let x = values[base + first + i];
      let w = x * x;
      let li = f32(codes[i]);
      var slx = sumlx - opaque((w * x) * li);
      if (slx > 0.0) {
        var sl2 = suml2 - opaque((w * li) * li);
        let new_l = clamp(i32(round(div_rn(x * sl2, slx))), -NMAX, NMAX - 1);
        if (new_l != codes[i]) {
          slx += opaque((w * x) * f32(new_l));
          sl2 += opaque((w * f32(new_l)) * f32(new_l));
          if (sl2 > 0.0 && (slx * slx) * suml2 > (sumlx * sumlx) * sl2) {
            codes[i] = new_l;
            sumlx = slx;
            suml2 = sl2;
            changed++;
          }
        }
      }
    }
    if (changed == 0) {
      break;
    }
  }
  for (var i = 0u; i < 16u; i++) {
    codes[i] += NMAX;
  }
  return select(0.0, div_rn(sumlx, suml2), suml2 > 0.0);
}

@compute @workgroup_size(WG_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let j = lid % SUB_BLOCKS;
  let first_sibling = lid - j;
  let b = (wid.y * nwg.x + wid.x) * (WG_SIZE / SUB_BLOCKS) + lid / SUB_BLOCKS;
  let busy = b < params.blocks;
  var scale = 0.0;
  if (busy) {
    base = b * 256u;
    scale = make_q3_quants(16u * j);
  }
  sub_scales[lid] = scale;
  workgroupBarrier();
  if (!busy) {
    return;
  }
  var max_scale = 0.0;
  var amax = 0.0;
  for (var k = 0u; k < SUB_BLOCKS; k++) {  // in the reference's order: the first of equal magnitudes wins
    let s = sub_scales[first_sibling + k];
    if (abs(s) > amax) {
      amax = abs(s);
      max_scale = s;
    }
  }
  block_byte = b * BLOCK_BYTES;
  var d = 0.0;
  var sc = 0;  // 6-bit scale code, stored +32 (0 with no scale at all, as the reference leaves it)
  if (max_scale != 0.0) {
    let iscale = div_rn(-32.0, max_scale);
    sc = clamp(i32(round(iscale * scale)), -32, 31) + 32;
    let l = u32(sc);
    or_byte(96u + (j & 7u), (l & 0xfu) << (4u * (j >> 3u)));
    or_byte(104u + (j & 3u), (l >> 4u) << (2u * (j >> 2u)));
    let d_bits = f32_to_f16_bits(div_rn(1.0, iscale));
    if (j == 0u) {
      or_byte(108u, d_bits);
      or_byte(109u, d_bits >> 8u);
    }
    d = f16_bits_to_f32(d_bits);
  }
  let dl = d * f32(sc - 32);  // exact: an fp16 times a 6-bit code
  if (dl != 0.0) {  // else the codes of the search stay, as in the reference
    for (var ii = 0u; ii < 16u; ii++) {
      codes[ii] = clamp(i32(round(div_rn(values[base + 16u * j + ii], dl))), -4, 3) + 4;
    }
  }
  // High bit of element e → hmask[e % 32] bit e / 32; low 2 bits → byte 32 + 32(e / 128) + e % 32,
  // bits 2((e % 128) / 32)…+1. Sub-block j is e = 16j…16j+15: 16 consecutive bytes of each.
  let l0 = 16u * (j % 2u);
  var high: array<u32, 16>;
  var low: array<u32, 16>;
  for (var i = 0u; i < 16u; i++) {
    let q = u32(codes[i]);
    high[i] = (q >> 2u) << (j / 2u);
    low[i] = (q & 3u) << (2u * ((j % 8u) / 2u));
  }
  or_run(l0, high);
  or_run(32u + 32u * (j / 8u) + l0, low);
}
