import { describe, expect, it } from 'vitest';
import { firstPassYield } from '../../src/domain/kpi-weeks';
import {
  dispositionDecision,
  inRework,
  openDecision,
  reworkDecision,
  type NcState,
} from '../../src/nonconformance/rules';

/** The NC rules on plain data (docs/decisions.md, "Issue 23 — nonconformance and rework"). */
const op = { order: 'WO-1', operation: 'OP10', good: 40, rejected: 6, heldByNcs: 2 };
const open = (quantity: number, source: 'reject' | 'inspection', reason = 'burr') => ({
  workOrder: 'WO-1',
  operation: 'OP10',
  quantity,
  reason,
  source,
});
const nc = (over: Partial<NcState> = {}): NcState => ({
  id: 7,
  status: 'open',
  quantity: 4,
  reworked: 0,
  scrapped: 0,
  ...over,
});

describe('openDecision', () => {
  it('takes rejected pieces no other NC holds, and moves nothing', () => {
    expect(openDecision(open(4, 'reject'), op, ['burr'])).toEqual({ move: null });
    expect(openDecision(open(5, 'reject'), op, ['burr'])).toMatchObject({
      status: 409,
      message: { key: 'nc.exceedsRejected', params: { free: 4, quantity: 5 } },
    });
  });

  it('moves pieces that failed inspection from good to rejected, no more than were good', () => {
    expect(openDecision(open(3, 'inspection'), op, [])).toEqual({
      move: { good: -3, rejected: 3, source: 'nc' },
    });
    expect(openDecision(open(41, 'inspection'), op, [])).toMatchObject({
      status: 409,
      message: { key: 'nc.exceedsGood', params: { good: 40 } },
    });
  });

  it('refuses a reason the plant does not know, and takes any when it lists none', () => {
    expect(openDecision(open(1, 'reject', 'dent'), op, ['burr'])).toMatchObject({
      status: 400,
      message: { key: 'nc.unknownReason', params: { reason: 'dent' } },
    });
    expect(openDecision(open(1, 'reject', 'dent'), op, [])).toEqual({ move: null });
  });
});

describe('dispositionDecision', () => {
  it('sends to rework, scraps, or turns all pieces good for use-as-is', () => {
    expect(dispositionDecision(nc(), { disposition: 'rework' })).toEqual({
      status: 'rework',
      move: null,
      scrapped: 0,
    });
    expect(dispositionDecision(nc(), { disposition: 'scrap' })).toEqual({
      status: 'closed',
      move: null,
      scrapped: 4,
    });
    expect(dispositionDecision(nc(), { disposition: 'use-as-is', approver: 'mgr' })).toEqual({
      status: 'closed',
      move: { good: 4, rejected: -4, source: 'concession' },
      scrapped: 0,
    });
  });

  it('refuses an NC already decided', () => {
    expect(dispositionDecision(nc({ status: 'rework' }), { disposition: 'scrap' })).toMatchObject({
      status: 409,
      message: { key: 'nc.notOpen', params: { id: '7', status: 'rework' } },
    });
  });
});

describe('reworkDecision', () => {
  it('counts reworked good pieces back, and closes when none is left', () => {
    const waiting = nc({ status: 'rework', reworked: 1 });
    expect(inRework(waiting)).toBe(3);
    expect(reworkDecision(waiting, { good: 2 })).toEqual({
      status: 'rework',
      move: { good: 2, rejected: -2, source: 'rework' },
    });
    expect(reworkDecision(waiting, { good: 0, scrapped: 3 })).toEqual({
      status: 'closed',
      move: null,
    });
    expect(reworkDecision(waiting, { good: 3, scrapped: 1 })).toMatchObject({
      status: 409,
      message: { key: 'nc.reworkTooMany', params: { left: 3, quantity: 4 } },
    });
    expect(reworkDecision(nc(), { good: 1 })).toMatchObject({
      message: { key: 'nc.notInRework' },
    });
    expect(inRework(nc())).toBe(0);
  });
});

describe('firstPassYield', () => {
  it('is good at first pass over pieces made, none without pieces', () => {
    expect(firstPassYield(24, 29)).toBeCloseTo(24 / 29, 12);
    expect(firstPassYield(0, 0)).toBeNull();
  });
});
