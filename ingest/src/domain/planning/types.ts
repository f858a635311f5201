/**
 * The finite-capacity plan's values (docs/decisions.md "Issue 21 — the finite-capacity
 * scheduler"). Pure data: times are epoch ms, the clock is `PlanInput.now`.
 */
import type { Message, MessageParam, ShiftConfig } from '@takt/protocol';

export type OperationStatus = 'pending' | 'running' | 'paused' | 'done';

export interface PlanOperationInput {
  id: string;
  machine: string;
  status: OperationStatus;
  /** Good pieces made so far; remaining = max(0, order quantity − good). */
  good: number;
  startedAt: number | null;
}

export interface PlanOrder {
  id: string;
  product: string;
  quantity: number;
  /** Higher first. */
  priority: number;
  dueAt: number | null;
  /** When the order was created (released to the floor); its operations start no earlier. */
  releasedAt: number;
  /** In routing order: each starts no earlier than the previous one finishes. */
  operations: PlanOperationInput[];
}

/** What a machine makes of a product (or of any product: `product` null), as planned. */
export interface MachineCapacity {
  machine: string;
  product: string | null;
  /** Good pieces per hour of running. */
  ratePerHour: number;
  /** Share (0..1] of working time the machine really runs. */
  availability: number;
  /** Pieces per running hour at the slow (p10) and fast (p90) ends of the spread. */
  rateP10: number;
  rateP90: number;
  source: 'measured' | 'ideal';
}

/** A plant-calendar closure, both dates included (YYYY-MM-DD). */
export interface Closure {
  from: string;
  to: string;
}

/**
 * When the plant works: the shift pattern (breaks, overnight shifts) minus holidays and
 * closures, in the site's time zone. No shifts: every hour of a day that is not off.
 */
export interface WorkingCalendar {
  timeZone: string;
  shifts: readonly ShiftConfig[];
  holidays: readonly string[];
  closures: readonly Closure[];
}

export interface PlanInput {
  now: number;
  orders: readonly PlanOrder[];
  /** Every machine the plant has. */
  machines: readonly string[];
  capacity: readonly MachineCapacity[];
  calendar: WorkingCalendar;
  /** Set-up time before `toProduct` on `machine` after `fromProduct` (null: unknown). */
  changeoverMs: (machine: string, fromProduct: string | null, toProduct: string) => number;
  /** What each machine is set up for now (the product of its last operation). */
  currentProduct: ReadonlyMap<string, string | null>;
  /** How far ahead an operation may finish (default 365 days); later is unplannable. */
  horizonMs?: number;
}

export interface PlannedOperation {
  order: string;
  operation: string;
  machine: string;
  product: string;
  remaining: number;
  /** The machine is busy from here: the changeover first (if any), then the pieces. */
  plannedStart: number;
  plannedFinish: number;
  changeoverMs: number;
  running: boolean;
  /** Finish at the fast (p10) and slow (p90) ends of the rate spread, same sequence. */
  p10Finish: number;
  p90Finish: number;
}

export interface PlannedOrder {
  order: string;
  promisedAt: number;
  p10: number;
  p90: number;
  dueAt: number | null;
  /** promisedAt > dueAt */
  lateRisk: boolean;
}

/** A message key of protocol/src/messages/planning.ts and its parameters. */
export type PlanningReason = Message & { params: Record<string, MessageParam> };

export interface Unplannable {
  order: string;
  operation: string | null;
  reason: PlanningReason;
}

export interface Plan {
  computedAt: number;
  operations: PlannedOperation[];
  orders: PlannedOrder[];
  unplannable: Unplannable[];
}

/** The calculator's order: released now, at `priority`, wanted by `wantedBy`. */
export interface PromiseCandidate {
  product: string;
  quantity: number;
  routing: readonly { id: string; machine: string }[];
  priority: number;
  wantedBy?: number | undefined;
}

export interface PromiseAnswer {
  promisedAt: number;
  p10: number;
  p90: number;
  /** The order just before the new one in planning sequence; null when it would go first. */
  insertedAfter: string | null;
  /** promisedAt ≤ wantedBy, or null without a wanted date. */
  meetsWantedBy: boolean | null;
  operations: { operation: string; machine: string; plannedStart: number; plannedFinish: number }[];
  /** Existing orders whose promise moves later, latest first. */
  delays: { order: string; byMs: number }[];
}

/** The calculator either answers or says why the new order cannot be planned. */
export type PromiseOutcome =
  { ok: true; answer: PromiseAnswer } | { ok: false; unplannable: Unplannable };

/** Booked vs available working hours on one plant-calendar day. */
export interface LoadDay {
  date: string;
  bookedH: number;
  availableH: number;
  overloaded: boolean;
}

export interface PlanLoad {
  /** The first day, YYYY-MM-DD. */
  from: string;
  days: string[];
  machines: { id: string; line: string; days: LoadDay[] }[];
  lines: { id: string; days: LoadDay[] }[];
}

/**
 * Run history of one machine making one product over a stretch of time (a day, or one run of
 * an operation), the input of capacity.ts.
 */
export interface RunSample {
  machine: string;
  product: string;
  /** When the stretch began (for the trailing window). */
  from: number;
  /** Time the machine was running (state running). */
  runMs: number;
  /**
   * Planned busy time of the stretch: working (shift) time with work to do, i.e. without
   * time idle for want of an order (the `no_order` planned stop). Availability = run ÷ this.
   */
  workingMs: number;
  good: number;
}
