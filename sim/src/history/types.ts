import type { MachineState, Reading, ScanPayload, WorkOrderInput } from '@takt/protocol';

/** One wire message of the history, before its envelope (`v`, `seq`) is added when sent. */
export type HistoryMessage =
  | { kind: 'state'; machine: string; ts: number; state: MachineState; reason?: string }
  | { kind: 'count'; machine: string; ts: number; good: number; reject: number }
  | { kind: 'metrics'; machine: string; ts: number; readings: Reading[] }
  | { kind: 'scan'; machine: string; ts: number; scan: Omit<ScanPayload, 'v' | 'seq' | 'ts'> };

/** A generated work order with what the history did to it (the tests check these). */
export interface HistoryOrder {
  input: WorkOrderInput;
  startedAt: number;
  /** Undefined: still open (paused) when the history ends. */
  completedAt?: number;
  /** Paused at a shift's end and started again in a later shift. */
  splitAcrossShifts: boolean;
}

export interface History {
  /** Every message, in time order (ties keep each machine's order). */
  messages: HistoryMessage[];
  orders: HistoryOrder[];
}
