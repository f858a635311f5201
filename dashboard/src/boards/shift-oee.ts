import { usePoll } from './use-poll';

/** `GET /api/boards/shift` (ingest/src/plugins/boards.ts). */
export interface MachineShiftFigures {
  id: string;
  line: string | null;
  plannedBusyMs: number;
  goodCount: number;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  oee: number | null;
  liveOffset: number;
}

export interface ShiftOee {
  serverTime: string;
  shift: { shift: string; name: string; date: string; from: string; to: string } | null;
  from: string;
  to: string;
  inShift: boolean;
  countsSince: string;
  machines: MachineShiftFigures[];
}

/** OEE moves by minutes: once a minute is enough (docs/dashboard.md, Boards). */
export const SHIFT_OEE_POLL_MS = 60_000;

export function useShiftOee() {
  return usePoll<ShiftOee>('/api/boards/shift', SHIFT_OEE_POLL_MS);
}
