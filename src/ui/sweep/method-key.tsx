// The key to the size chart's marker shapes: one entry per quantization method among the points
// (RTN, GPTQ, llama.cpp, float), shown once there is more than one (colour is bits; the chart's
// own legend says that).
import { Symbols } from 'recharts';
import type { SweepPoint } from '../../core/sweep';
import { CHART_COLORS, METHOD_LABEL, methodShape } from './point-style';

export function MethodKey({ points }: { points: readonly SweepPoint[] }) {
  const methods = [...new Set(points.map((p) => p.method))];
  if (methods.length < 2) return null;
  return (
    <p className="small muted method-key" data-testid="method-key">
      {methods.map((m) => (
        <span key={m} className="method-key-item" data-testid="method-key-item" data-method={m}>
          <svg width="12" height="12" aria-hidden="true">
            <Symbols cx={6} cy={6} type={methodShape(m)} size={60} fill={CHART_COLORS.muted} />
          </svg>
          {METHOD_LABEL[m] ?? m}
        </span>
      ))}
    </p>
  );
}
