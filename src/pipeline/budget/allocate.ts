// The size budget's choice (issue #10 "A size budget"): one option per tensor — each with its
// exact bytes in the output and a predicted loss — so that the bytes fit the budget and the summed
// loss is least. A multiple-choice knapsack, solved exactly by dynamic programming over the
// budget cut into at most MAX_UNITS units, every option's bytes rounded UP to whole units (so the
// choice always fits; it is optimal among choices whose rounded sizes fit, which the test checks
// against brute force). Greedy upgrades along convex hulls would be faster but can miss the
// optimum by a whole option per tensor; at a few hundred tensors × a dozen options × 16k units
// the table costs milliseconds. Written here because no library solves this.

/** One way to store a tensor: its bytes in the output and the loss it is predicted to add. */
export interface BudgetOption {
  bytes: number;
  loss: number;
}

export interface Allocation {
  /** Index of the chosen option, per tensor. */
  choice: number[];
  bytes: number;
  loss: number;
}

/** The budget is resolved into this many units at most. */
export const MAX_UNITS = 16384;

/** The least-loss choice of one option per tensor whose bytes total at most `budget`; undefined when even the smallest options do not fit. */
export function allocateBudget(tensors: readonly (readonly BudgetOption[])[], budget: number, maxUnits = MAX_UNITS): Allocation | undefined {
  const smallest = tensors.reduce((n, opts) => n + Math.min(...opts.map((o) => o.bytes)), 0);
  if (smallest > budget) return undefined;
  const unit = Math.max(1, Math.ceil(budget / maxUnits));
  const units = Math.floor(budget / unit);
  // best[u]: least loss of the tensors so far within u units; pick[t][u]: the option tensor t took there.
  let best = new Float64Array(units + 1);
  const pick: Int16Array[] = [];
  for (const opts of tensors) {
    const next = new Float64Array(units + 1).fill(Infinity);
    const chosen = new Int16Array(units + 1).fill(-1);
    opts.forEach((o, i) => {
      const w = Math.ceil(o.bytes / unit);
      for (let u = w; u <= units; u++) {
        const loss = best[u - w] + o.loss;
        if (loss < next[u]) {
          next[u] = loss;
          chosen[u] = i;
        }
      }
    });
    pick.push(chosen);
    best = next;
  }
  if (!Number.isFinite(best[units])) return undefined; // the smallest options do not fit once rounded up
  const choice = new Array<number>(tensors.length);
  let u = units;
  for (let t = tensors.length - 1; t >= 0; t--) {
    const i = pick[t][u];
    choice[t] = i;
    u -= Math.ceil(tensors[t][i].bytes / unit);
  }
  const bytes = choice.reduce((n, i, t) => n + tensors[t][i].bytes, 0);
  const loss = choice.reduce((n, i, t) => n + tensors[t][i].loss, 0);
  return { choice, bytes, loss };
}
