// Argument checks shared by the ggml block quantizers: inputs must be whole blocks.
import { ShapeError } from '../../core/errors';

/** Number of blocks in `numel` elements; ShapeError if `numel` is not a multiple of `blockSize`. */
export function blockCount(numel: number, blockSize: number, typeName: string): number {
  if (!Number.isSafeInteger(numel) || numel < 0 || numel % blockSize !== 0) {
    throw new ShapeError(`${typeName} needs a multiple of ${blockSize} elements, got ${numel}`, { numel, blockSize });
  }
  return numel / blockSize;
}

/** Number of blocks in `byteLength` bytes; ShapeError if it is not a whole number of blocks. */
export function blockCountOfBytes(byteLength: number, blockBytes: number, typeName: string): number {
  if (byteLength % blockBytes !== 0) {
    throw new ShapeError(`${typeName} data must be a multiple of ${blockBytes} bytes, got ${byteLength}`, { byteLength, blockBytes });
  }
  return byteLength / blockBytes;
}

/**
 * Blocks per row for a quantizer given one importance weight per column: `numel` must be whole
 * rows of `rowLength`, and a row whole blocks (ShapeError otherwise).
 */
export function rowBlockCount(numel: number, rowLength: number, blockSize: number, typeName: string): number {
  if (rowLength <= 0 || numel % rowLength !== 0) {
    throw new ShapeError(`${typeName}: ${numel} values are not whole rows of ${rowLength} (the importance vector's length)`, { numel, rowLength });
  }
  return blockCount(rowLength, blockSize, typeName);
}
