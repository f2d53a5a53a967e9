// Typed errors for people (DESIGN decision 6, STYLE.md "Errors"). Bad input raises one of these
// at a boundary; the UI and the CLI switch on `code`, never on `instanceof` across threads.

export type StudioErrorCode =
  | 'format'
  | 'unsupported'
  | 'out-of-memory'
  | 'shape'
  | 'gpu-unavailable'
  | 'gpu-limit'
  | 'cancelled'
  | 'usage'
  | 'missing-file'
  /** The browser's storage for the page is full (IndexedDB quota). */
  | 'storage-full';

/** Extra facts an error carries across the worker boundary (plain data only). */
export interface StudioErrorDetails {
  byteOffset?: number;
  file?: string;
  [key: string]: string | number | boolean | undefined;
}

export class StudioError extends Error {
  override readonly name: string = 'StudioError';
  constructor(
    readonly code: StudioErrorCode,
    message: string,
    readonly details: StudioErrorDetails = {},
  ) {
    super(message);
  }
}

/** The bytes are not a valid file of the expected format; `byteOffset` says where it went wrong. */
export class FormatError extends StudioError {
  override readonly name = 'FormatError';
  constructor(message: string, readonly byteOffset: number, file?: string) {
    super('format', file ? `${file}: ${message} (at byte ${byteOffset})` : `${message} (at byte ${byteOffset})`, {
      byteOffset,
      file,
    });
  }
}

/** A valid file the studio cannot handle (yet): an op, a dtype, an architecture. */
export class UnsupportedModelError extends StudioError {
  override readonly name = 'UnsupportedModelError';
  constructor(message: string, details: StudioErrorDetails = {}) {
    super('unsupported', message, details);
  }
}

/** A file the model refers to was not given (e.g. ONNX external data). */
export class MissingFileError extends StudioError {
  override readonly name = 'MissingFileError';
  constructor(message: string, readonly missing: string) {
    super('missing-file', message, { file: missing });
  }
}

export class OutOfMemoryError extends StudioError {
  override readonly name = 'OutOfMemoryError';
  constructor(message: string, details: StudioErrorDetails = {}) {
    super('out-of-memory', message, details);
  }
}

export class ShapeError extends StudioError {
  override readonly name = 'ShapeError';
  constructor(message: string, details: StudioErrorDetails = {}) {
    super('shape', message, details);
  }
}

export class GpuUnavailableError extends StudioError {
  override readonly name = 'GpuUnavailableError';
  constructor(message: string) {
    super('gpu-unavailable', message);
  }
}

export class GpuLimitError extends StudioError {
  override readonly name = 'GpuLimitError';
  constructor(message: string, details: StudioErrorDetails = {}) {
    super('gpu-limit', message, details);
  }
}

export class CancelledError extends StudioError {
  override readonly name = 'CancelledError';
  constructor(message = 'Cancelled') {
    super('cancelled', message);
  }
}

/** Wrong command-line or API usage (CLI exit code 2). */
export class UsageError extends StudioError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('usage', message);
  }
}

/**
 * A recipe that cannot be run: invalid JSON data, or a rule that cannot apply to a tensor or to
 * the chosen output format. The message names the rule (index) and the field; both are also in
 * `details` so the page can point at the rule. Reported like a usage error (CLI exit code 2).
 */
export class RecipeError extends StudioError {
  override readonly name = 'RecipeError';
  constructor(message: string, where: { rule?: number; field?: string; tensor?: string } = {}) {
    super('usage', message, { ...where });
  }
}

/** Throws CancelledError when the signal is aborted; call between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
