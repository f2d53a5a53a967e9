// Limits high-rate progress callbacks (one per tensor) to one per `intervalMs`, keeping the
// latest value; `flush` delivers a pending one (e.g. the final 100 %).

export function throttle<T>(fn: (value: T) => void, intervalMs: number): { call: (value: T) => void; flush: () => void } {
  let lastCall = -Infinity;
  let pending: { value: T } | null = null;
  return {
    call(value: T) {
      const now = performance.now();
      if (now - lastCall >= intervalMs) {
        lastCall = now;
        pending = null;
        fn(value);
      } else {
        pending = { value };
      }
    },
    flush() {
      if (pending) fn(pending.value);
      pending = null;
    },
  };
}
