// The page's one GPU context, acquired on first use and again after the device is lost (a driver
// reset, a GPU process crash, an out-of-memory kill): the action that found it lost says so, and
// the next action gets a fresh device instead of failing until the page is reloaded.
import type { GpuContext } from './context';

export class ReacquiringGpu {
  private current: Promise<GpuContext> | null = null;
  private settled: GpuContext | null = null;
  /** Why the last device was lost, once a new one replaced it (for the page to say so). */
  reacquiredAfter: string | undefined;

  constructor(private readonly create: () => Promise<GpuContext>) {}

  /** The live context: the cached one, or a new one when there is none or the cached device was lost. */
  get(): Promise<GpuContext> {
    if (this.settled?.lostReason) {
      this.reacquiredAfter = this.settled.lostReason;
      this.settled = null;
      this.current = null;
    }
    if (!this.current) {
      const pending = this.create();
      this.current = pending;
      pending.then(
        (ctx) => (this.settled = ctx),
        () => this.current === pending && (this.current = null), // a later attempt may succeed
      );
    }
    return this.current;
  }
}
