import { describe, expect, it } from 'vitest';
import { isFlashing, noteArrivals, FLASH_MS } from '../../src/lib/alert-arrivals';
import {
  countVsTarget,
  plannedSoFarMs,
  shiftGoodNow,
  targetPerHour,
} from '../../src/lib/count-target';
import { displayState, plannedModes, stateLabelKey } from '../../src/lib/machine-state';
import {
  byUrgency,
  etaSlipMs,
  pageCount,
  pageOf,
  type BoardOrder,
} from '../../src/lib/order-urgency';
import { shiftClock } from '../../src/lib/shift-clock';
import type { PlantModel } from '../../src/plant/plant-model';
import { iso, machine, T0 } from './machine-fixture';

describe('displayState: what a board tile shows', () => {
  const planned = plannedModes({ modes: { planned: ['cleaning'] } });

  it('is the PLC state while data is fresh', () => {
    expect(displayState(machine({ id: 'm', state: 'down' }), T0 + 5_000, planned)).toBe('down');
    expect(displayState(machine({ id: 'm', state: 'idle', mode: 'production' }), T0, planned)).toBe(
      'idle',
    );
  });

  it('is offline without data for a minute, never seen, or unknown', () => {
    expect(displayState(machine({ id: 'm' }), T0 + 61_000, planned)).toBe('offline');
    expect(displayState(machine({ id: 'm', lastSeenAt: null }), T0, planned)).toBe('offline');
    expect(displayState(machine({ id: 'm', state: 'unknown' }), T0, planned)).toBe('offline');
  });

  it('is planned when stopped in a planned mode of the plant, a break or no shift', () => {
    for (const mode of ['cleaning', 'no_shift', 'break'] as const)
      expect(displayState(machine({ id: 'm', state: 'idle', mode }), T0, planned), mode).toBe(
        'planned',
      );
    // Not a planned stop in this plant: an idle machine in changeover is a loss.
    expect(displayState(machine({ id: 'm', state: 'idle', mode: 'changeover' }), T0, planned)).toBe(
      'idle',
    );
    // Running in a planned stop is still running.
    expect(displayState(machine({ id: 'm', state: 'running', mode: 'break' }), T0, planned)).toBe(
      'running',
    );
  });

  it('defaults the planned modes as the plant schema does', () => {
    expect([...plannedModes(null)].sort()).toEqual(
      ['break', 'cleaning', 'no_order', 'no_shift', 'planned_maintenance'].sort(),
    );
  });

  it('labels offline with the catalog key of no data', () => {
    expect(stateLabelKey('offline')).toBe('state.unknown');
    expect(stateLabelKey('planned')).toBe('state.planned');
  });
});

describe('count vs target', () => {
  const plant = {
    lines: [
      {
        id: 'l1',
        name: 'L1',
        machines: [
          { id: 'press-01', name: 'P1', product: 'b12' },
          { id: 'press-02', name: 'P2', product: 'b12' },
          { id: 'cnc', name: 'C', targets: { outputPerHour: 30 } },
          { id: 'bare', name: 'B' },
        ],
      },
    ],
    products: [{ id: 'b12', name: 'B12', idealCycleMs: 1800, machines: { 'press-02': 2400 } }],
    targets: {},
  } as unknown as PlantModel;

  it('takes the outputPerHour target, else the rate the ideal cycle allows', () => {
    expect(targetPerHour(plant, 'cnc')).toBe(30);
    expect(targetPerHour(plant, 'press-01')).toBe(2000);
    expect(targetPerHour(plant, 'press-02')).toBe(1500);
    expect(targetPerHour(plant, 'bare')).toBeNull();
  });

  it('compares good pieces with the target of the planned time so far', () => {
    // 30 an hour, 2 h 30 planned so far: 75 pieces.
    expect(countVsTarget(60, 30, 2.5 * 3_600_000)).toEqual({
      good: 60,
      target: 75,
      diff: -15,
      status: 'behind',
    });
    expect(countVsTarget(76, 30, 2.5 * 3_600_000).status).toBe('on');
    expect(countVsTarget(90, 30, 2.5 * 3_600_000).status).toBe('ahead');
    expect(countVsTarget(0, 30, 0)).toMatchObject({ target: 0, status: 'on' });
  });

  it('grows the planned time between polls only in shift and out of planned stops', () => {
    const base = { plannedBusyMs: 60_000, fetchedAtMs: T0, nowMs: T0 + 30_000 };
    expect(plannedSoFarMs({ ...base, inShift: true, inPlannedStop: false })).toBe(90_000);
    expect(plannedSoFarMs({ ...base, inShift: true, inPlannedStop: true })).toBe(60_000);
    expect(plannedSoFarMs({ ...base, inShift: false, inPlannedStop: false })).toBe(60_000);
  });

  it('makes the shift count from the live count since midnight and the offset', () => {
    const midnight = iso(T0 - 3_600_000);
    const server = { liveOffset: 40, countsSince: midnight, goodCount: 100 };
    // A night shift that started before midnight: 40 pieces before it, 70 since.
    expect(shiftGoodNow({ good: 70, since: midnight }, server)).toBe(110);
    // A shift that started after midnight: the offset is negative.
    expect(shiftGoodNow({ good: 70, since: midnight }, { ...server, liveOffset: -20 })).toBe(50);
    // The day rolled over since the poll: the server's own count until the next.
    expect(shiftGoodNow({ good: 3, since: iso(T0 + 3_600_000) }, server)).toBe(100);
  });
});

describe('orders board', () => {
  const order = (o: Partial<BoardOrder> & { id: string }): BoardOrder => ({
    product: 'p',
    customer: 'c',
    quantity: 10,
    good: 0,
    progress: 0,
    status: 'released',
    dueAt: null,
    eta: null,
    lateRisk: false,
    stalled: false,
    currentOperation: null,
    ...o,
  });

  it('sorts stalled and late-risk first, then by due date, undated last', () => {
    const sorted = byUrgency([
      order({ id: 'undated' }),
      order({ id: 'due-late', dueAt: iso(T0 + 9e6) }),
      order({ id: 'due-soon', dueAt: iso(T0 + 1e6) }),
      order({ id: 'risk', lateRisk: true, dueAt: iso(T0 + 5e6) }),
      order({ id: 'both', lateRisk: true, stalled: true, dueAt: iso(T0 + 8e6) }),
      order({ id: 'stalled', stalled: true, dueAt: iso(T0 + 2e6) }),
    ]).map((o) => o.id);
    expect(sorted).toEqual(['both', 'stalled', 'risk', 'due-soon', 'due-late', 'undated']);
  });

  it('pages rows to fit the screen, wrapping round', () => {
    const items = [1, 2, 3, 4, 5, 6, 7];
    expect(pageCount(7, 3)).toBe(3);
    expect(pageCount(0, 3)).toBe(1);
    expect(pageOf(items, 3, 0)).toEqual([1, 2, 3]);
    expect(pageOf(items, 3, 2)).toEqual([7]);
    expect(pageOf(items, 3, 3)).toEqual([1, 2, 3]);
  });

  it('says how far the ETA is past the due date', () => {
    expect(etaSlipMs({ eta: iso(T0 + 60_000), dueAt: iso(T0) })).toBe(60_000);
    expect(etaSlipMs({ eta: null, dueAt: iso(T0) })).toBeNull();
  });
});

describe('shift clock and andon arrivals', () => {
  it('tells time done and left in the shift', () => {
    expect(shiftClock(T0, T0 + 8 * 3_600_000, T0 + 2 * 3_600_000)).toEqual({
      elapsedMs: 2 * 3_600_000,
      leftMs: 6 * 3_600_000,
      fraction: 0.25,
    });
    expect(shiftClock(T0, T0 + 1000, T0 + 5000).leftMs).toBe(0);
  });

  it('flashes alerts that arrive after the board opened, not the ones already there', () => {
    let known = noteArrivals(new Map(), [1, 2], T0, true);
    known = noteArrivals(known, [1, 2, 3], T0 + 1000, false);
    const old = T0 - 3_600_000;
    expect(isFlashing(known.get(1), old, T0 + 2000, T0 + 2000)).toBe(false);
    expect(isFlashing(known.get(3), old, T0 + 2000, T0 + 2000)).toBe(true);
    expect(isFlashing(known.get(3), old, T0 + 1000 + FLASH_MS, T0)).toBe(false);
    // Opened a moment ago: new even if the board just opened.
    expect(isFlashing(known.get(2), T0 + 1500, T0 + 2000, T0 + 2000)).toBe(true);
    // Nothing new: the same map back (no re-render).
    expect(noteArrivals(known, [1, 2, 3], T0 + 3000, false)).toBe(known);
    // Cleared ones are forgotten; the others keep their arrival.
    const later = noteArrivals(known, [3], T0 + 4000, false);
    expect([...later.entries()]).toEqual([[3, T0 + 1000]]);
  });
});
