import { useMemo } from 'react';
import type { MachineSnapshot } from '@takt/protocol/live';
import { plannedModes } from '../lib/machine-state';
import { usePlant } from '../plant/PlantContext';
import { tileFigures } from './tile-figures';
import { usePoll } from './use-poll';

/** `GET /api/boards/shift` (ingest/src/http/boards.ts). */
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

/**
 * What a board's tiles show beyond the live snapshot: the shift's figures (polled) joined
 * with the live machines, and which modes are planned stops. Plant and line boards alike.
 */
export function useTileFigures(machines: readonly MachineSnapshot[], nowMs: number) {
  const { plant } = usePlant();
  const shift = useShiftOee();
  const planned = useMemo(() => plannedModes(plant as Parameters<typeof plannedModes>[0]), [plant]);
  const figures = useMemo(
    () =>
      shift.data
        ? tileFigures(machines, shift.data, shift.fetchedAtMs, nowMs, plant, planned)
        : undefined,
    [machines, shift.data, shift.fetchedAtMs, nowMs, plant, planned],
  );
  return { shift, planned, figures };
}
