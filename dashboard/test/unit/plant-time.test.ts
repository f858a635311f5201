import { describe, expect, it } from 'vitest';
import { plantClock, plantDate, plantDateTime, plantTime } from '../../src/lib/plant-time';

describe('plant time', () => {
  const at = Date.parse('2026-11-23T22:05:09Z');

  it('shows times in the plant zone, not the browser one', () => {
    expect(plantClock(at, 'Asia/Shanghai')).toBe('06:05:09');
    expect(plantClock(at, 'UTC')).toBe('22:05:09');
    expect(plantTime(at, 'Asia/Shanghai')).toBe('06:05');
  });

  it('turns the date over at the plant midnight', () => {
    expect(plantDate(at, 'Asia/Shanghai')).toBe('2026-11-24');
    expect(plantDate(at, 'UTC')).toBe('2026-11-23');
    expect(plantDateTime(at, 'Asia/Shanghai')).toBe('2026-11-24 06:05');
  });

  it('writes midnight as 00, not 24', () => {
    expect(plantClock(Date.parse('2026-11-23T16:00:00Z'), 'Asia/Shanghai')).toBe('00:00:00');
  });
});
