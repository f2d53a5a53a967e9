// Dispatch shapes: a 1-D count of workgroups folded into (x, y) when it exceeds
// maxComputeWorkgroupsPerDimension; shaders rebuild the linear id as y·num_workgroups.x + x
// (and skip the few ids past the count).
import { GpuLimitError } from '../core/errors';

export function dispatchGrid(workgroups: number, maxPerDimension: number, what: string): [number, number] {
  if (workgroups <= maxPerDimension) return [Math.max(1, workgroups), 1];
  const y = Math.ceil(workgroups / maxPerDimension);
  if (y > maxPerDimension) {
    throw new GpuLimitError(
      `${what} needs ${workgroups} workgroups, more than this GPU can dispatch (${maxPerDimension}² = ` +
        `${maxPerDimension * maxPerDimension}); split the tensor`,
      { workgroups, maxPerDimension },
    );
  }
  return [Math.ceil(workgroups / y), y];
}
