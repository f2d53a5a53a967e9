// div_rn(a, b): a / b correctly rounded to f32 (ties to even), i.e. JavaScript's
// Math.fround(a / b) — WGSL's `/` may be off by 2.5 ulp. Long division on the 24-bit
// significands in u32. Zero a gives a signed zero; a zero, subnormal or non-finite operand or a
// subnormal/overflowing quotient falls back to `/` (quantization scales never reach those).
fn div_rn(a: f32, b: f32) -> f32 {
  let ua = bitcast<u32>(a);
  let ub = bitcast<u32>(b);
  let sign_bit = (ua ^ ub) & 0x80000000u;
  let ea = i32((ua >> 23u) & 0xffu);
  let eb = i32((ub >> 23u) & 0xffu);
  if ((ua & 0x7fffffffu) == 0u && eb != 0) {
    return bitcast<f32>(sign_bit);
  }
  if (ea == 0 || eb == 0 || ea == 255 || eb == 255) {
    return a / b;
  }
  var ma = (ua & 0x7fffffu) | 0x800000u;
  let mb = (ub & 0x7fffffu) | 0x800000u;
  var e = ea - eb;
  if (ma < mb) {
    ma = ma << 1u;
    e = e - 1;
  }
  // ma / mb is in [1, 2): 24 significand bits plus one guard bit; the remainder is the sticky bit.
  var q = 0u;
  var rem = ma;
  for (var i = 0u; i < 25u; i = i + 1u) {
    q = q << 1u;
    if (rem >= mb) {
      rem = rem - mb;
      q = q | 1u;
    }
    rem = rem << 1u;
  }
  var m = q >> 1u;
  if ((q & 1u) == 1u && (rem != 0u || (m & 1u) == 1u)) {
    m = m + 1u;
  }
  if (m == 0x1000000u) {
    m = m >> 1u;
    e = e + 1;
  }
  let biased = e + 127;
  if (biased <= 0 || biased >= 255) {
    return a / b;
  }
  return bitcast<f32>(sign_bit | (u32(biased) << 23u) | (m & 0x7fffffu));
}
