import { MODE_ACTIONS, ORDER_ACTIONS } from './scan-fold';

/**
 * Where each scan of a commit goes, and what the work-orders consumer must derive again
 * (consumers/work-orders.ts does only the I/O). Pure: the batch comes in, the work comes out.
 */

/** What a scan's action is, in the fold's vocabulary (domain/scan-fold.ts). */
export type ScanRoute = 'order' | 'pieces' | 'badge' | 'mode' | 'reason' | 'other';

/**
 * A scan's action -> its path: start / pause / complete and hand reports (QTY / REJ) and
 * badges and mode cards are folded (work-orders/apply.ts); reason cards are resolved against
 * the stops of their time (queries/stop-reasons.ts); anything else only stays in `scans`.
 */
export function scanRoute(action: string | undefined): ScanRoute {
  const a = (action ?? '').toLowerCase();
  if ((ORDER_ACTIONS as readonly string[]).includes(a)) return 'order';
  if (a === 'good' || a === 'reject') return 'pieces';
  if (a === 'login' || a === 'logout') return 'badge';
  if (Object.hasOwn(MODE_ACTIONS, a)) return 'mode';
  if (a === 'reason') return 'reason';
  return 'other';
}

/** From which edge time the work orders are derived again, and for which machines' counts. */
export interface Rederive {
  /** Every scan's effect from here on (undefined: no folded scan changed). */
  scansFromMs: number | undefined;
  /** Machines whose first counter totals just arrived: their hand reports fold again. */
  firstCounting?: readonly string[];
  /** Count attribution of these machines from here on. */
  counts: { fromMs: number; machines: readonly string[] } | undefined;
}

/** What the consumer reads of a commit (structurally `BatchCommitted`'s). */
export interface DispatchBatch {
  scans: readonly { machineId: string; payload: { ts: number; action?: string } }[];
  states: readonly { machineId: string; payload: { ts: number } }[];
  counts: readonly { machine: string; ts: number; first?: true }[];
}

/** The work one commit asks for: nothing to do is `rederive` undefined and `reasons` empty. */
export interface CommitWork {
  rederive: Rederive | undefined;
  /** Machines whose reason cards are resolved again, each from this edge time on. */
  reasons: Map<string, number>;
}

/** The routes the fold reads (scan-fold.ts `FOLDED_ACTIONS`). */
const FOLDED: ReadonlySet<ScanRoute> = new Set(['order', 'pieces', 'badge', 'mode']);

const earliest = (times: readonly number[]) => times.reduce((a, b) => Math.min(a, b), Infinity);

/**
 * One commit -> its work. Folded scans re-fold from the earliest; counts re-attribute their
 * machines from the earliest; a machine's first totals fold its hand reports again; reason
 * cards, and states (a card may have come before its stop's states), re-resolve their
 * machine's cards from the earliest of them.
 */
export function dispatchCommit(batch: DispatchBatch): CommitWork {
  const folded = batch.scans.filter((s) => FOLDED.has(scanRoute(s.payload.action)));
  const first = [...new Set(batch.counts.filter((c) => c.first).map((c) => c.machine))];
  const scansFromMs = folded.length === 0 ? undefined : earliest(folded.map((s) => s.payload.ts));
  const counts =
    batch.counts.length === 0
      ? undefined
      : {
          fromMs: earliest(batch.counts.map((c) => c.ts)),
          machines: [...new Set(batch.counts.map((c) => c.machine))],
        };
  const reasons = new Map<string, number>();
  const cards = batch.scans.filter((s) => scanRoute(s.payload.action) === 'reason');
  for (const m of [...cards, ...batch.states])
    reasons.set(m.machineId, Math.min(reasons.get(m.machineId) ?? Infinity, m.payload.ts));
  const idle = scansFromMs === undefined && counts === undefined && first.length === 0;
  return {
    rederive: idle ? undefined : { scansFromMs, firstCounting: first, counts },
    reasons,
  };
}

/** Commits missed before a stop (merged): everything from their earliest time, their machines. */
export function dispatchMissed(missed: {
  fromMs: number;
  machines: ReadonlySet<string>;
}): CommitWork {
  const machines = [...missed.machines];
  return {
    rederive: { scansFromMs: missed.fromMs, counts: { fromMs: missed.fromMs, machines } },
    reasons: new Map(machines.map((m) => [m, missed.fromMs])),
  };
}
