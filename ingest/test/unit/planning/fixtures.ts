import type { ShiftConfig } from '@takt/protocol';
import type {
  MachineCapacity,
  PlanInput,
  PlanOperationInput,
  PlanOrder,
  WorkingCalendar,
} from '../../../src/domain/planning';

export const H = 3_600_000;
export const MIN = 60_000;
/** Monday 2026-12-07 00:00 UTC. */
export const MONDAY = Date.UTC(2026, 11, 7);
export const iso = (ms: number) => new Date(ms).toISOString();

export const ALL_DAYS: ShiftConfig['days'] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Every hour works (no shifts), UTC. */
export const ALWAYS: WorkingCalendar = { timeZone: 'UTC', shifts: [], holidays: [], closures: [] };

export function op(
  id: string,
  machine: string,
  more: Partial<PlanOperationInput> = {},
): PlanOperationInput {
  return { id, machine, status: 'pending', good: 0, startedAt: null, ...more };
}

export function order(
  id: string,
  operations: PlanOperationInput[],
  more: Partial<PlanOrder> = {},
): PlanOrder {
  return {
    id,
    product: 'p1',
    quantity: 10,
    priority: 0,
    dueAt: null,
    releasedAt: MONDAY - H,
    operations,
    ...more,
  };
}

/** `rate` pieces per hour at full availability, any product; the band ±50 %. */
export function cap(
  machine: string,
  rate = 10,
  more: Partial<MachineCapacity> = {},
): MachineCapacity {
  return {
    machine,
    product: null,
    ratePerHour: rate,
    availability: 1,
    rateP10: rate / 2,
    rateP90: rate * 1.5,
    source: 'measured',
    ...more,
  };
}

export function input(more: Partial<PlanInput> & Pick<PlanInput, 'orders'>): PlanInput {
  const machines = more.machines ?? ['m1', 'm2'];
  return {
    now: MONDAY,
    machines,
    capacity: machines.map((m) => cap(m)),
    calendar: ALWAYS,
    changeoverMs: () => 0,
    currentProduct: new Map(),
    ...more,
  };
}
