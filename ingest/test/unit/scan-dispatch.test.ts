import { describe, expect, it } from 'vitest';
import { dispatchCommit, dispatchMissed, scanRoute } from '../../src/domain/scan-dispatch';
import { FOLDED_ACTIONS } from '../../src/domain/scan-fold';

const scan = (machineId: string, ts: number, action?: string) => ({
  machineId,
  payload: { ts, ...(action === undefined ? {} : { action }) },
});
const state = (machineId: string, ts: number) => ({ machineId, payload: { ts } });
const none = { scans: [], states: [], counts: [] };

describe('where each scan goes', () => {
  it('names the path of every action, whatever its case', () => {
    expect(
      ['start', 'PAUSE', 'complete', 'good', 'Reject', 'login', 'logout'].map(scanRoute),
    ).toEqual(['order', 'order', 'order', 'pieces', 'pieces', 'badge', 'badge']);
    expect(['setup', 'MAINTENANCE', 'no_order', 'production'].map(scanRoute)).toEqual([
      'mode',
      'mode',
      'mode',
      'mode',
    ]);
    expect(['reason', 'REASON', 'hello', '', undefined].map(scanRoute)).toEqual([
      'reason',
      'reason',
      'other',
      'other',
      'other',
    ]);
  });

  it('folds exactly what the fold reads: orders, pieces, badges and mode cards', () => {
    const folded = FOLDED_ACTIONS.map(scanRoute);
    expect(new Set(folded)).toEqual(new Set(['order', 'pieces', 'badge', 'mode']));
  });
});

describe('the work of one commit', () => {
  it('asks for nothing when nothing is folded, counted or explained', () => {
    expect(dispatchCommit(none)).toEqual({ rederive: undefined, reasons: new Map() });
    expect(dispatchCommit({ ...none, scans: [scan('m1', 5, 'hello'), scan('m1', 6)] })).toEqual({
      rederive: undefined,
      reasons: new Map(),
    });
  });

  it('re-folds from the earliest folded scan; a reason card is resolved, not folded', () => {
    const work = dispatchCommit({
      ...none,
      scans: [
        scan('m1', 300, 'Start'),
        scan('m2', 200, 'reason'),
        scan('m1', 250, 'login'),
        scan('m2', 100, 'other'),
      ],
    });
    expect(work.rederive).toEqual({ scansFromMs: 250, firstCounting: [], counts: undefined });
    expect(work.reasons).toEqual(new Map([['m2', 200]]));
  });

  it('re-attributes counts per machine from the earliest, and folds hand reports of first totals', () => {
    const work = dispatchCommit({
      ...none,
      counts: [
        { machine: 'm1', ts: 50 },
        { machine: 'm2', ts: 40, first: true },
        { machine: 'm1', ts: 30 },
      ],
    });
    expect(work.rederive).toEqual({
      scansFromMs: undefined,
      firstCounting: ['m2'],
      counts: { fromMs: 30, machines: ['m1', 'm2'] },
    });
    expect(work.reasons.size).toBe(0);
  });

  it("resolves a machine's reason cards again from its earliest new card or state", () => {
    const work = dispatchCommit({
      ...none,
      scans: [scan('m1', 500, 'REASON')],
      states: [state('m1', 700), state('m1', 400), state('m3', 900)],
    });
    expect(work.rederive).toBeUndefined();
    expect(work.reasons).toEqual(
      new Map([
        ['m1', 400],
        ['m3', 900],
      ]),
    );
  });

  it('redoes missed commits from their earliest time, for their machines', () => {
    expect(dispatchMissed({ fromMs: 1000, machines: new Set(['a', 'b']) })).toEqual({
      rederive: { scansFromMs: 1000, counts: { fromMs: 1000, machines: ['a', 'b'] } },
      reasons: new Map([
        ['a', 1000],
        ['b', 1000],
      ]),
    });
  });
});
