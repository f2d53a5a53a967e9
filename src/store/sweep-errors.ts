// Errors of evaluations and sweeps, kept beside their panels (the page banner words only load,
// quantize and export). Reads `code` without instanceof: errors cross the worker boundary.
export interface SweepError {
  code: string;
  message: string;
}

export function toSweepError(error: unknown): SweepError {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : 'unknown';
  const message = typeof e?.message === 'string' && e.message ? e.message : String(error);
  return { code, message };
}
