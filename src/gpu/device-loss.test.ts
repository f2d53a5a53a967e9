// Telling a lost device from other failures: an error that arrives just before device.lost
// resolves is reported as a lost device; others pass through (the studio's own at once). The
// device here is a stand-in with the one member the module reads (a real crash is in
// e2e/device-loss.spec.ts: Chromium's GPU process killed mid-sweep).
import { describe, expect, it } from 'vitest';
import { GpuUnavailableError, UsageError } from '../core/errors';
import type { GpuContext } from './context';
import { explainGpuFailure, explainingDeviceLoss, lostReasonOf } from './device-loss';

function contextLosingIn(ms: number | null): GpuContext {
  const lost = new Promise<GPUDeviceLostInfo>((resolve) => {
    if (ms !== null) setTimeout(() => resolve({ reason: 'unknown', message: 'GPU process crashed' } as GPUDeviceLostInfo), ms);
  });
  return { lostReason: null, device: { lost } as GPUDevice } as GpuContext;
}

describe('device loss', () => {
  it('waits briefly for device.lost, and says null when the device stays', async () => {
    expect(await lostReasonOf(contextLosingIn(5), 200)).toBe('unknown: GPU process crashed');
    expect(await lostReasonOf(contextLosingIn(null), 20)).toBeNull();
    expect(await lostReasonOf({ ...contextLosingIn(null), lostReason: 'destroyed: gone' }, 20)).toBe('destroyed: gone');
  });

  it("reports Dawn's words on a device being lost as a lost device, naming the work", async () => {
    const error = await explainGpuFailure(contextLosingIn(5), 'the sweep', new Error('Instance dropped in popErrorScope'));
    expect(error).toBeInstanceOf(GpuUnavailableError);
    expect((error as Error).message).toBe('The GPU device was lost during the sweep (unknown: GPU process crashed); run it again: the next run acquires a new device.');
  });

  it('passes other errors through, and the studio\'s own without waiting', async () => {
    const bug = new Error('something else');
    expect(await explainGpuFailure(contextLosingIn(null), 'x', bug)).toBe(bug);
    const own = new UsageError('Open a model first');
    const started = performance.now();
    expect(await explainGpuFailure(contextLosingIn(null), 'x', own)).toBe(own);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('wraps work: results pass, failures are explained, and CPU work (no context) is left alone', async () => {
    expect(await explainingDeviceLoss(contextLosingIn(null), 'x', async () => 7)).toBe(7);
    await expect(explainingDeviceLoss(contextLosingIn(5), 'compressing', async () => Promise.reject(new Error('A valid external Instance reference no longer exists.')))).rejects.toThrow(
      /device was lost during compressing/,
    );
    const cpu = new Error('cpu failure');
    await expect(explainingDeviceLoss(null, 'x', async () => Promise.reject(cpu))).rejects.toBe(cpu);
  });
});
