/**
 * A work order's operations as Gantt bars: what ran (each run from a start or resume scan
 * to a pause or complete, from `/api/work-orders/:id/oee`) and, where the product's ideal
 * cycle time is known, the planned span (quantity × ideal cycle) beside it.
 */

export interface GanttOperation {
  id: string;
  machine: string;
  status: 'pending' | 'running' | 'paused' | 'done';
  good: number;
  rejected: number;
  startedAt: string | null;
  completedAt: string | null;
}

export interface GanttBar {
  /** The operation's row, top first in routing order. */
  row: number;
  operation: string;
  machine: string;
  kind: 'planned' | 'actual';
  fromMs: number;
  toMs: number;
  status: GanttOperation['status'];
}

export interface GanttInput {
  operations: readonly GanttOperation[];
  /** Runs per operation id, ISO; an open run ends `now`. */
  runs: ReadonlyMap<string, readonly { from: string; to: string }[]>;
  quantity: number;
  idealCycleMs: number | null;
  createdAtMs: number;
  nowMs: number;
}

export function ganttBars(input: GanttInput): GanttBar[] {
  const { operations, runs, quantity, idealCycleMs, createdAtMs, nowMs } = input;
  const bars: GanttBar[] = [];
  let plannedCursor = createdAtMs;
  operations.forEach((op, row) => {
    const base = { row, operation: op.id, machine: op.machine, status: op.status };
    const opRuns = runs.get(op.id) ?? [];
    if (opRuns.length > 0)
      for (const r of opRuns)
        bars.push({ ...base, kind: 'actual', fromMs: Date.parse(r.from), toMs: Date.parse(r.to) });
    else if (op.startedAt !== null)
      bars.push({
        ...base,
        kind: 'actual',
        fromMs: Date.parse(op.startedAt),
        toMs: op.completedAt !== null ? Date.parse(op.completedAt) : nowMs,
      });
    if (idealCycleMs !== null) {
      // Planned: the whole quantity at the ideal cycle, from the actual start if there is
      // one, else right after the previous operation's planned end.
      const fromMs = op.startedAt !== null ? Date.parse(op.startedAt) : plannedCursor;
      const toMs = fromMs + quantity * idealCycleMs;
      bars.push({ ...base, kind: 'planned', fromMs, toMs });
      plannedCursor = toMs;
    }
  });
  return bars;
}

/** The time axis to show: every bar, the due date and the ETA, with a little air. */
export function ganttRange(
  bars: readonly GanttBar[],
  marks: readonly (number | null)[],
  nowMs: number,
): { minMs: number; maxMs: number } {
  const times = [
    ...bars.flatMap((b) => [b.fromMs, b.toMs]),
    ...marks.filter((m): m is number => m !== null),
  ];
  if (times.length === 0) return { minMs: nowMs - 3_600_000, maxMs: nowMs + 3_600_000 };
  const min = Math.min(...times);
  const max = Math.max(...times, min + 60_000);
  const pad = (max - min) * 0.05;
  return { minMs: min - pad, maxMs: max + pad };
}
