import { describe, expect, it } from 'vitest';
import {
  isTextEntry,
  listenForWedge,
  WEDGE_IDLE,
  wedgeKey,
  wedgeScans,
} from '../../src/station/wedge';

/** Keys of `text` `gapMs` apart from `startMs`, then `suffix` after the same gap. */
function typed(text: string, gapMs: number, startMs = 1_000, suffix: string | null = 'Enter') {
  const keys = [...text].map((key, i) => ({ key, atMs: startMs + i * gapMs }));
  if (suffix) keys.push({ key: suffix, atMs: startMs + text.length * gapMs });
  return keys;
}

describe('keyboard-wedge scans (docs/dashboard.md "Station")', () => {
  it('takes fast keys ended by Enter as one scan', () => {
    expect(wedgeScans(typed('WO-1001|OP10', 8))).toEqual(['WO-1001|OP10']);
  });

  it('takes Tab as a suffix too', () => {
    expect(wedgeScans(typed('QTY:5', 10, 0, 'Tab'))).toEqual(['QTY:5']);
  });

  it('leaves a person typing alone, even a fast typist', () => {
    expect(wedgeScans(typed('WO-1001|OP10', 90))).toEqual([]);
    expect(wedgeScans(typed('QTY:5', 40))).toEqual([]);
  });

  it('needs at least four characters', () => {
    expect(wedgeScans(typed('E12', 5))).toEqual([]);
    expect(wedgeScans(typed('E123', 5))).toEqual(['E123']);
  });

  it('needs the suffix soon after the last key', () => {
    const keys = typed('E1234', 5, 0, null);
    keys.push({ key: 'Enter', atMs: 5 * 5 + 500 });
    expect(wedgeScans(keys)).toEqual([]);
  });

  it('starts a scan afresh after slow typing before it', () => {
    const keys = [...typed('ab', 200, 0, null), ...typed('E1234', 6, 1_000)];
    expect(wedgeScans(keys)).toEqual(['E1234']);
  });

  it('reads two scans in a row and keeps Shift inside a scan', () => {
    const keys = [
      ...typed('ACT:PAUSE', 4, 0),
      { key: 'Shift', atMs: 999 },
      ...typed('REJ:1:burr', 4, 1_000),
    ];
    expect(wedgeScans(keys)).toEqual(['ACT:PAUSE', 'REJ:1:burr']);
  });

  it('drops a burst cut by another named key', () => {
    const keys = [
      ...typed('E12', 5, 0, null),
      { key: 'ArrowLeft', atMs: 16 },
      ...typed('34', 5, 20),
    ];
    expect(wedgeScans(keys)).toEqual([]);
  });

  it('swallows the keys of a scan once it is long enough to be one, and its suffix', () => {
    let state = WEDGE_IDLE;
    const consumed: boolean[] = [];
    for (const { key, atMs } of typed('E1234', 5)) {
      const step = wedgeKey(state, key, atMs);
      state = step.state;
      consumed.push(step.consumed);
    }
    expect(consumed).toEqual([false, false, false, true, true, true]);
    // A lone Enter (a person pressing a focused button) is not swallowed.
    expect(wedgeKey(WEDGE_IDLE, 'Enter', 10).consumed).toBe(false);
  });

  it('tells text fields from the rest', () => {
    expect(isTextEntry({ tagName: 'INPUT', type: 'text' })).toBe(true);
    expect(isTextEntry({ tagName: 'INPUT', type: 'number' })).toBe(true);
    expect(isTextEntry({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isTextEntry({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(isTextEntry({ tagName: 'INPUT', type: 'button' })).toBe(false);
    expect(isTextEntry({ tagName: 'BUTTON' })).toBe(false);
    expect(isTextEntry(null)).toBe(false);
  });

  it('listens on a target, stops default actions of a scan, ignores keys typed into a field', () => {
    const target = new EventTarget();
    const scans: string[] = [];
    const stop = listenForWedge(target as unknown as Window, (code) => scans.push(code));
    const press = (key: string, timeStamp: number, tagName = 'BODY') => {
      const event = new Event('keydown', { cancelable: true });
      Object.defineProperties(event, {
        key: { value: key },
        timeStamp: { value: timeStamp },
        target: { value: { tagName } },
        ctrlKey: { value: false },
        altKey: { value: false },
        metaKey: { value: false },
        isComposing: { value: false },
      });
      target.dispatchEvent(event);
      return event.defaultPrevented;
    };
    for (const [i, key] of [...'E5678'].entries()) press(key, 100 + i * 5);
    expect(press('Enter', 130)).toBe(true);
    for (const [i, key] of [...'E9999'].entries()) press(key, 500 + i * 5, 'INPUT');
    expect(press('Enter', 530, 'INPUT')).toBe(false);
    stop();
    for (const [i, key] of [...'E1111'].entries()) press(key, 900 + i * 5);
    press('Enter', 930);
    expect(scans).toEqual(['E5678']);
  });
});
