// sqrt_rn(x): the square root of a float32 correctly rounded (ties cannot occur), i.e. C sqrtf and
// JavaScript Math.fround(Math.sqrt(x)); WGSL's sqrt may be off by a few ulp. fdlibm's e_sqrtf.c bit by
// bit on the 24-bit significand in 32-bit integers. Zero and subnormal x, negative x and Inf/NaN fall
// back to sqrt (the k-quant weights never reach those).
fn sqrt_rn(x: f32) -> f32 {
  let bits = bitcast<i32>(x);
  var m = bits >> 23;
  if (m <= 0 || m >= 255) {
    return sqrt(x);
  }
  m -= 127;
  var ix = (bits & 0x007fffff) | 0x00800000;
  if ((m & 1) != 0) {
    ix += ix;  // odd exponent: double the significand to make it even
  }
  m >>= 1u;
  ix += ix;
  var q = 0;
  var s = 0;
  var r = 0x01000000;
  while (r != 0) {
    let t = s + r;
    if (t <= ix) {
      s = t + r;
      ix -= t;
      q += r;
    }
    ix += ix;
    r >>= 1u;
  }
  if (ix != 0) {
    q += q & 1;  // round to nearest: the remainder is never exactly half
  }
  return bitcast<f32>((q >> 1u) + 0x3f000000 + (m << 23u));
}
