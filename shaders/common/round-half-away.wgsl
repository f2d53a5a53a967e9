// round_half_away(x): C's roundf, half away from zero, exactly (src/quant/rtn.ts roundHalfAway).
// Not floor(|x| + 0.5): that sum rounds in f32 (0.49999997 + 0.5 == 1.0); |x| − floor(|x|) is exact.
fn round_half_away(x: f32) -> f32 {
  let a = abs(x);
  let t = floor(a);
  return sign(x) * (t + select(0.0, 1.0, a - t >= 0.5));
}
