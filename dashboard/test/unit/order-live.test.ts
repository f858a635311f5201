import { describe, expect, it } from 'vitest';
import {
  initialOrderChanges,
  orderChangesReducer,
  orderVersion,
} from '../../src/live/order-changes';
import { plantPickerInstant, plantPickerValue } from '../../src/pages/due-picker';

describe('orders:changed on the live socket', () => {
  it('moves the version of the order changed, and of the order a split made', () => {
    let s = orderChangesReducer(initialOrderChanges, {
      type: 'changed',
      raw: { id: 'WO-1', change: 'edit' },
    });
    expect(s.version).toBe(1);
    expect(orderVersion(s, 'WO-1')).toBe(1);
    expect(orderVersion(s, 'WO-2')).toBe(0);
    s = orderChangesReducer(s, {
      type: 'changed',
      raw: { id: 'WO-2', change: 'split', newId: 'WO-2-2' },
    });
    expect(orderVersion(s, 'WO-1')).toBe(1);
    expect(orderVersion(s, 'WO-2')).toBe(2);
    expect(orderVersion(s, 'WO-2-2')).toBe(2);
  });

  it('ignores a malformed event; a reconnect counts as a change of every order', () => {
    const bad = orderChangesReducer(initialOrderChanges, { type: 'changed', raw: { id: 7 } });
    expect(bad).toBe(initialOrderChanges);
    const s = orderChangesReducer(initialOrderChanges, { type: 'reconnected' });
    expect(s.version).toBe(1);
    expect(orderVersion(s, 'WO-never-seen')).toBe(1);
  });
});

describe('the due-date picker on the plant clock', () => {
  it('shows and reads an instant on the plant wall clock', () => {
    expect(plantPickerValue('2026-12-24T02:00:00.000Z', 'Asia/Shanghai')).toBe('2026-12-24T10:00');
    expect(plantPickerValue(null, 'Asia/Shanghai')).toBe('');
    expect(plantPickerInstant('2026-12-25T14:30', 'Asia/Shanghai')).toBe(
      '2026-12-25T06:30:00.000Z',
    );
    expect(plantPickerInstant('2026-07-01T08:00', 'Europe/Berlin')).toBe(
      '2026-07-01T06:00:00.000Z',
    );
  });

  it('refuses a wall time a clock change skips, and what is not a date-time', () => {
    // Berlin skips 02:00–03:00 on 29 March 2026.
    expect(plantPickerInstant('2026-03-29T02:30', 'Europe/Berlin')).toBeNull();
    expect(plantPickerInstant('tomorrow', 'Europe/Berlin')).toBeNull();
  });
});
