// Damped inverse Cholesky, the preparation of GPTQ/SparseGPT (IST-DASLab gptq.py fasterquant and
// sparsegpt.py fasterprune): dead = diag(H) == 0 → H_ii = 1; H += damp·I with damp = percdamp ·
// mean(diag H); L = cholesky(H); Hinv = (LLᵀ)⁻¹; U = upper Cholesky factor of Hinv (Hinv = UᵀU).
// Float64, in the upstream order of steps. When a factorisation fails the damping is raised ×10
// (up to MAX_DAMP_RAISES times) instead of raising an error as torch does.
import { ShapeError } from '../../core/errors';

export const DEFAULT_PERCDAMP = 0.01;
/** How many times the damping may be multiplied by DAMP_RAISE_FACTOR before giving up. */
export const MAX_DAMP_RAISES = 4;
export const DAMP_RAISE_FACTOR = 10;

export interface InverseCholesky {
  /** U [n][n], row-major, upper triangular (zeros below the diagonal): (H + damp·I)⁻¹ = UᵀU. */
  u: Float64Array;
  /** Columns whose H_ii was 0 (set to 1 here; the caller zeroes those weight columns). */
  dead: number[];
  /** Final absolute damping added to the diagonal. */
  damp: number;
  /** True when the first damping was not enough and had to be raised. */
  dampRaised: boolean;
}

/**
 * What a Hessian solve should tell the person about one tensor: inputs calibration never saw
 * (zeroed, as the reference code does) and a damping that had to be raised.
 */
export function hessianNotes(inv: Pick<InverseCholesky, 'dead' | 'damp' | 'dampRaised'>, percdamp: number, cols: number): string[] {
  const notes: string[] = [];
  if (inv.dead.length) notes.push(`${inv.dead.length} of ${cols} inputs were never active in calibration (zero Hessian diagonal): their weights are zeroed`);
  if (inv.dampRaised) notes.push(`the Hessian was not positive definite with damping ${percdamp} × its mean diagonal: damping raised to ${inv.damp.toPrecision(3)} (more calibration windows help)`);
  return notes;
}

/** The damping after `damp` failed: ×10, or percdamp 0.01 of the mean diagonal when it was 0. */
export function raisedDamp(damp: number, meanDiag: number): number {
  return damp > 0 ? damp * DAMP_RAISE_FACTOR : DEFAULT_PERCDAMP * meanDiag;
}

/**
 * Checks H and returns the diagonal with dead entries set to 1, the dead columns and the mean of
 * that diagonal (shared with the GPU wrapper, which does this O(n) bookkeeping on the CPU).
 */
export function prepareDiagonal(h: ArrayLike<number>, n: number, percdamp: number): { diag: Float64Array; dead: number[]; meanDiag: number } {
  if (!Number.isSafeInteger(n) || n < 1) throw new ShapeError(`n must be an integer ≥ 1, got ${n}`);
  if (h.length !== n * n) throw new ShapeError(`H must hold n × n = ${n * n} values, got ${h.length}`, { n, got: h.length });
  if (!(percdamp >= 0) || !Number.isFinite(percdamp)) throw new ShapeError(`percdamp must be a finite number ≥ 0, got ${percdamp}`);
  for (let i = 0; i < h.length; i++) {
    if (!Number.isFinite(h[i])) throw new ShapeError(`H has a non-finite value (${h[i]}) at [${Math.floor(i / n)}][${i % n}]`);
  }
  const diag = new Float64Array(n);
  const dead: number[] = [];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = h[i * n + i];
    if (d === 0) dead.push(i);
    diag[i] = d === 0 ? 1 : d;
    sum += diag[i];
  }
  const meanDiag = sum / n;
  if (!(meanDiag > 0)) throw new ShapeError(`H must have a positive mean diagonal (it is not positive semi-definite), got ${meanDiag}`);
  return { diag, dead, meanDiag };
}

/** Lower Cholesky factor of the lower triangle of A [n][n] (float64), or null when not positive definite. */
export function choleskyLowerRef(a: ArrayLike<number>, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let t = 0; t < j; t++) d -= l[j * n + t] * l[j * n + t];
    if (!(d > 0) || !Number.isFinite(d)) return null;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let t = 0; t < j; t++) s -= l[i * n + t] * l[j * n + t];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** (LLᵀ)⁻¹ for a lower-triangular L (torch.cholesky_inverse): M = L⁻¹, then Mᵀ M. */
export function choleskyInverseRef(l: Float64Array, n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    // Forward substitution L m_c = e_c; m_c is zero above row c.
    for (let i = c; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let t = c; t < i; t++) s -= l[i * n + t] * m[t * n + c];
      m[i * n + c] = s / l[i * n + i];
    }
  }
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let t = j; t < n; t++) s += m[t * n + i] * m[t * n + j];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** U = L(A)ᵀ: the upper factor with A = UᵀU, or null when A is not positive definite. */
function choleskyUpperRef(a: Float64Array, n: number): Float64Array | null {
  const l = choleskyLowerRef(a, n);
  if (!l) return null;
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) u[i * n + j] = l[j * n + i];
  return u;
}

/**
 * U with (H' + damp·I)⁻¹ = UᵀU, H' = H with dead diagonal entries set to 1. Reads the lower triangle
 * of H (as torch.linalg.cholesky does). Raises ShapeError for bad shapes, non-finite values, or a
 * matrix that stays not positive definite after MAX_DAMP_RAISES raises of the damping.
 */
export function dampedInverseCholeskyRef(h: ArrayLike<number>, n: number, percdamp = DEFAULT_PERCDAMP): InverseCholesky {
  const { diag, dead, meanDiag } = prepareDiagonal(h, n, percdamp);
  let damp = percdamp * meanDiag;
  const a = new Float64Array(n * n);
  for (let raises = 0; ; raises++) {
    for (let i = 0; i < n * n; i++) a[i] = h[i];
    for (let i = 0; i < n; i++) a[i * n + i] = diag[i] + damp;
    const l = choleskyLowerRef(a, n);
    const u = l && choleskyUpperRef(choleskyInverseRef(l, n), n);
    if (u) return { u, dead, damp, dampRaised: raises > 0 };
    if (raises === MAX_DAMP_RAISES) {
      throw new ShapeError(
        `H is not positive definite even with damping ${damp} (${raises} raises ×${DAMP_RAISE_FACTOR} from percdamp ${percdamp}); ` +
          'check the calibration statistics',
        { n, damp },
      );
    }
    damp = raisedDamp(damp, meanDiag);
  }
}
