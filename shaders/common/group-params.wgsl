// group_params(mn, mx, amax, bits, symmetric): one group's scale, zero point and 1/scale exactly as
// src/quant/rtn.ts groupParams (float32, divisions correctly rounded): symmetric scale =
// −amax / 2^(bits−1) (a power-of-two division, exact), zero point 2^(bits−1); asymmetric scale =
// (max(mx, 0) − min(mn, 0)) / (2^bits − 1), zero point roundf(−lo / scale) within the codes.
// amax is the group's first element of largest magnitude (signed). Shared by the RTN and GPTQ kernels.
// A kernel using this names all three helpers, these two first.
// Helpers: common/round-half-away.wgsl, common/div-rn.wgsl

struct GroupParams {
  scale: f32,
  zero_point: f32,
  reciprocal: f32,
}

fn group_params(mn: f32, mx: f32, amax: f32, bits: u32, symmetric: bool) -> GroupParams {
  let maxq = f32((1u << bits) - 1u);
  var scale: f32;
  var zp = 0.0;
  if (symmetric) {
    scale = ldexp(-amax, 1 - i32(bits));
    zp = f32(1u << (bits - 1u));
  } else {
    let lo = min(mn, 0.0);
    let hi = max(mx, 0.0);
    scale = div_rn(abs(hi - lo), maxq);
    if (scale != 0.0) {
      zp = clamp(round_half_away(div_rn(-lo, scale)), 0.0, maxq);
    }
  }
  return GroupParams(scale, zp, select(0.0, div_rn(1.0, scale), scale != 0.0));
}
