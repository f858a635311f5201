import type { MachineState } from '@takt/protocol';

export interface StateSample {
  ts: number;
  seq: number;
  state: MachineState;
  code?: number | undefined;
  reason?: string | undefined;
}

export interface LatestState extends StateSample {
  /** Edge time at which the final state of the batch began. */
  runStart: number;
  /** The batch itself holds a change into the final state. */
  changedInBatch: boolean;
}

/**
 * The state a machine ends a batch in, and since when: the start of the trailing run of
 * equal states. Whether that run continues the stored state is decided against the database.
 */
export function latestState(samples: readonly StateSample[]): LatestState | undefined {
  const ordered = [...samples].sort((a, b) => a.ts - b.ts || a.seq - b.seq);
  const last = ordered.at(-1);
  if (!last) return undefined;
  let runStart = last.ts;
  let changedInBatch = false;
  for (let i = ordered.length - 2; i >= 0; i--) {
    if (ordered[i]!.state !== last.state) {
      changedInBatch = true;
      break;
    }
    runStart = ordered[i]!.ts;
  }
  return { ...last, runStart, changedInBatch };
}
