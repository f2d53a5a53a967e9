// Role names and colours shared by the table and the charts.
import type { TensorRole } from '../core/model-index';

export const ROLE_LABEL: Record<TensorRole, string> = {
  'matmul-weight': 'MatMul weight',
  embedding: 'Embedding',
  norm: 'Norm',
  bias: 'Bias',
  other: 'Other',
};

/** Short labels for chart axes. */
export const ROLE_SHORT: Record<TensorRole, string> = {
  'matmul-weight': 'MatMul',
  embedding: 'Embedding',
  norm: 'Norm',
  bias: 'Bias',
  other: 'Other',
};

export const ROLE_COLOR: Record<TensorRole, string> = {
  'matmul-weight': '#4f5fd6',
  embedding: '#0f9b9b',
  norm: '#d99a06',
  bias: '#c2410c',
  other: '#8a8fa3',
};
