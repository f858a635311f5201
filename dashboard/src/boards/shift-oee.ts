import { api } from '@takt/protocol/api';
import { useMemo } from 'react';
import type { MachineSnapshot } from '@takt/protocol/live';
import { plannedModes } from '../lib/machine-state';
import { usePlant } from '../plant/PlantContext';
import { tileFigures } from './tile-figures';
import { usePollRoute } from './use-poll';

/** `GET /api/boards/shift`: the shapes are the API's own (protocol/src/api/boards.ts). */
export type { MachineShiftFigures, ShiftOee } from '@takt/protocol';

/** OEE moves by minutes: once a minute is enough (docs/dashboard.md, Boards). */
export const SHIFT_OEE_POLL_MS = 60_000;

export function useShiftOee() {
  return usePollRoute(api.boards.shift, {}, SHIFT_OEE_POLL_MS);
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
