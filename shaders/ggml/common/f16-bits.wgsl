// IEEE binary16 ↔ float32 by bit manipulation, for the ggml kernels (src/core/float16.ts; docs/FORMATS.md
// §4.3). f32_to_f16_bits rounds to nearest even like GGML_FP32_TO_FP16 / f32ToF16Bits (overflow → ±Inf,
// NaN → 0x7E00 with the sign kept); written out because pack2x16float leaves the rounding mode to the
// implementation. f16_bits_to_f32_bits is exact (subnormal halves become normal f32) and keeps NaN
// payloads, since only integers are touched.
fn f32_to_f16_bits(v: f32) -> u32 {
  let x = bitcast<u32>(v);
  let sign = (x >> 16u) & 0x8000u;
  let exp = (x >> 23u) & 0xffu;
  let mant = x & 0x7fffffu;
  if (exp == 0xffu) {
    return sign | select(0x7c00u, 0x7e00u, mant != 0u);
  }
  let e = i32(exp) - 112;  // re-biased exponent: 127 − 15
  if (e >= 31) {
    return sign | 0x7c00u;
  }
  if (e <= 0) {
    // Subnormal half (or zero): code = value / 2^-24, rounded to nearest even.
    let shift = 126u - exp;
    if (shift > 24u) {
      return sign;
    }
    let full = mant | 0x800000u;
    let code = full >> shift;
    let rem = full & ((1u << shift) - 1u);
    let half = 1u << (shift - 1u);
    let up = rem > half || (rem == half && (code & 1u) == 1u);
    return sign | (code + select(0u, 1u, up));
  }
  let code = mant >> 13u;
  let rem = mant & 0x1fffu;
  let up = rem > 0x1000u || (rem == 0x1000u && (code & 1u) == 1u);
  // A carry out of the mantissa correctly bumps the exponent (up to Inf).
  return sign | (((u32(e) << 10u) | code) + select(0u, 1u, up));
}

fn f16_bits_to_f32_bits(h: u32) -> u32 {
  let sign = (h & 0x8000u) << 16u;
  let e = (h >> 10u) & 0x1fu;
  let m = h & 0x3ffu;
  if (e == 0u) {
    // Zero or subnormal: m · 2^-24, exact in f32.
    return sign | bitcast<u32>(ldexp(f32(m), -24));
  }
  if (e == 31u) {
    return sign | 0x7f800000u | (m << 13u);
  }
  return sign | ((e + 112u) << 23u) | (m << 13u);
}

fn f16_bits_to_f32(h: u32) -> f32 {
  return bitcast<f32>(f16_bits_to_f32_bits(h));
}
