import { serialScannerDeviceSchema } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/drivers/serial-scanner/line-splitter';
import {
  matchCode,
  maxLineBytes,
  parseLine,
  ScanDebouncer,
  scanRules,
} from '../../src/drivers/serial-scanner/scan-parser';

const config = (extra: Record<string, unknown> = {}) =>
  serialScannerDeviceSchema.parse({
    id: 'scanner1',
    driver: 'serial-scanner',
    path: '/dev/ttyACM0',
    machine: 'station-10',
    patterns: [
      {
        name: 'wo-op-start',
        regex: '^(?<workOrder>WO-\\d+)\\|(?<operation>OP\\d+)\\|START$',
        set: { action: 'start' },
      },
      { name: 'wo-op', regex: '^WO(?<workOrder>\\d+)-(?<operation>OP\\d+)$' },
      {
        name: 'reason',
        regex: '^R(?<reason>\\d{2})(?:/(?<action>[a-z]+))?$',
        set: { action: 'reason' },
      },
      { name: 'operator', regex: '^EMP(?<operator>\\d+)$', set: { action: 'login' } },
    ],
    ...extra,
  });

const rules = (extra?: Record<string, unknown>) => scanRules(config(extra));
const line = (text: string | number[]) =>
  typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text);

describe('parseLine', () => {
  it('fills fields from the first matching pattern: named groups plus its `set`', () => {
    expect(parseLine(line('WO-1001|OP10|START'), rules())).toEqual({
      kind: 'scan',
      code: 'WO-1001|OP10|START',
      pattern: 'wo-op-start',
      fields: { workOrder: 'WO-1001', operation: 'OP10', action: 'start' },
    });
    expect(parseLine(line('WO2002-OP20'), rules())).toEqual({
      kind: 'scan',
      code: 'WO2002-OP20',
      pattern: 'wo-op',
      fields: { workOrder: '2002', operation: 'OP20' },
    });
  });

  it('lets a group that took part override `set`, which is then the default', () => {
    expect(parseLine(line('R07'), rules())).toMatchObject({
      fields: { reason: '07', action: 'reason' },
    });
    expect(parseLine(line('R07/clear'), rules())).toMatchObject({
      fields: { reason: '07', action: 'clear' },
    });
  });

  it('takes the first pattern when several match', () => {
    const r = rules({
      patterns: [
        { name: 'first', regex: '^X', set: { action: 'one' } },
        { name: 'second', regex: '^X1$', set: { action: 'two' } },
      ],
    });
    expect(parseLine(line('X1'), r)).toMatchObject({ pattern: 'first', fields: { action: 'one' } });
  });

  it('publishes a code that matches no pattern with action unknown', () => {
    expect(parseLine(line('HELLO-42'), rules())).toEqual({
      kind: 'scan',
      code: 'HELLO-42',
      pattern: undefined,
      fields: { action: 'unknown' },
    });
    expect(parseLine(line('ANY'), rules({ patterns: [] }))).toMatchObject({
      fields: { action: 'unknown' },
    });
  });

  it('strips prefix and suffix (CR/LF in them are the terminator, not part of it), then trims', () => {
    const r = rules({ prefix: '\u0002]C0', suffix: '#\r\n' });
    expect(parseLine(line('\u0002]C0WO2002-OP20#'), r)).toMatchObject({
      code: 'WO2002-OP20',
      fields: { workOrder: '2002', operation: 'OP20' },
    });
    expect(parseLine(line('  \u0002]C0 EMP77 #  '), r)).toMatchObject({
      code: 'EMP77',
      fields: { operator: '77', action: 'login' },
    });
    // A line without the affixes is still a code: scanners are reconfigured in the field.
    expect(parseLine(line('EMP77'), r)).toMatchObject({ code: 'EMP77' });
  });

  it('drops empty and blank lines without calling them garbage', () => {
    expect(parseLine(line(''), rules())).toEqual({ kind: 'empty' });
    expect(parseLine(line(' \t '), rules())).toEqual({ kind: 'empty' });
    expect(parseLine(line('<>'), rules({ prefix: '<', suffix: '>' }))).toEqual({ kind: 'empty' });
  });

  it('calls a code longer than maxLength garbage, and one of exactly maxLength a scan', () => {
    const r = rules({ maxLength: 10 });
    expect(parseLine(line('A'.repeat(11)), r)).toEqual({ kind: 'garbage', reason: 'too-long' });
    expect(parseLine(line('A'.repeat(10)), r)).toMatchObject({ kind: 'scan' });
  });

  it('calls control characters and invalid UTF-8 garbage, but keeps valid UTF-8', () => {
    const r = rules();
    expect(parseLine(line('WO\u0000123'), r)).toEqual({
      kind: 'garbage',
      reason: 'control-character',
    });
    expect(parseLine(line('AB\u001bC'), r)).toMatchObject({ reason: 'control-character' });
    expect(parseLine(line('AB\u0085C'), r)).toMatchObject({ reason: 'control-character' });
    expect(parseLine(line([0x41, 0xff, 0x42]), r)).toEqual({
      kind: 'garbage',
      reason: 'invalid-utf8',
    });
    expect(parseLine(line([0xc3, 0x28]), r)).toMatchObject({ reason: 'invalid-utf8' });
    expect(parseLine(line('Größe-5'), r)).toMatchObject({ kind: 'scan', code: 'Größe-5' });
  });
});

describe('matchCode', () => {
  it('does not count a match whose field the wire schema would reject', () => {
    const patterns = scanRules(
      config({ patterns: [{ name: 'wo', regex: '^(?<workOrder>.+)$' }] }),
    ).patterns;
    expect(matchCode('W'.repeat(64), patterns)).toEqual({
      pattern: 'wo',
      fields: { workOrder: 'W'.repeat(64) },
    });
    expect(matchCode('W'.repeat(65), patterns)).toEqual({
      pattern: undefined,
      fields: { action: 'unknown' },
    });
  });

  it('reads a hand-reported quantity; one the wire refuses falls through', () => {
    const patterns = scanRules(
      config({
        patterns: [
          {
            name: 'rej',
            regex: '^REJ:(?<quantity>\\d+):(?<reason>\\w+)$',
            set: { action: 'reject' },
          },
        ],
      }),
    ).patterns;
    expect(matchCode('REJ:3:burr', patterns)).toEqual({
      pattern: 'rej',
      fields: { action: 'reject', quantity: '3', reason: 'burr' },
    });
    expect(matchCode('REJ:0:burr', patterns).pattern).toBeUndefined(); // 0 pieces is no report
  });
});

describe('ScanDebouncer', () => {
  it('makes the same code within debounceMs one scan, measured from the last sighting', () => {
    const d = new ScanDebouncer(1500);
    expect(d.isRepeat('A', 0)).toBe(false);
    expect(d.isRepeat('A', 100)).toBe(true);
    expect(d.isRepeat('A', 1500)).toBe(true); // 1400 after the last sighting
    expect(d.isRepeat('A', 3001)).toBe(false);
  });

  it('counts A, B, A as three scans and a repeat after the window as a new scan', () => {
    const d = new ScanDebouncer(1500);
    expect([d.isRepeat('A', 0), d.isRepeat('B', 10), d.isRepeat('A', 20)]).toEqual([
      false,
      false,
      false,
    ]);
    expect(d.isRepeat('A', 1520)).toBe(false);
  });

  it('never debounces with debounceMs 0, nor across a clock that went backwards', () => {
    const zero = new ScanDebouncer(0);
    expect([zero.isRepeat('A', 0), zero.isRepeat('A', 0)]).toEqual([false, false]);
    const d = new ScanDebouncer(1500);
    d.isRepeat('A', 5000);
    expect(d.isRepeat('A', 4000)).toBe(false);
  });
});

describe('LineSplitter', () => {
  const text = (lines: ReturnType<LineSplitter['push']>) =>
    lines.map((l) => (l.kind === 'line' ? l.bytes.toString('latin1') : '<too-long>'));

  it('splits at CR, LF and CRLF, including terminators split across chunks', () => {
    const s = new LineSplitter(100);
    expect(text(s.push(Buffer.from('A\rB\nC\r\nD')))).toEqual(['A', 'B', 'C']);
    expect(s.pending).toBe(true);
    expect(text(s.push(Buffer.from('E\r')))).toEqual(['DE']);
    expect(text(s.push(Buffer.from('\nF\n\n\r\r')))).toEqual(['F']);
    expect(s.pending).toBe(false);
  });

  it('keeps raw bytes (no decoding) so invalid UTF-8 stays visible', () => {
    const s = new LineSplitter(100);
    const [l] = s.push(Buffer.from([0xff, 0x00, 0x41, 0x0a]));
    expect(l).toEqual({ kind: 'line', bytes: Buffer.from([0xff, 0x00, 0x41]) });
  });

  it('stops buffering an overlong line and reports it once at its terminator', () => {
    const s = new LineSplitter(8);
    expect(s.push(Buffer.from('0123456'))).toEqual([]);
    expect(s.push(Buffer.from('789abcdef'))).toEqual([]);
    expect(text(s.push(Buffer.from('ghi\nOK\n')))).toEqual(['<too-long>', 'OK']);
    expect(text(s.push(Buffer.from('12345678\n')))).toEqual(['12345678']);
  });

  it('forgets a partial line on request', () => {
    const s = new LineSplitter(8);
    s.push(Buffer.from('noise'));
    expect(s.discardPartial()).toBe(true);
    expect(s.discardPartial()).toBe(false);
    expect(text(s.push(Buffer.from('OK\r')))).toEqual(['OK']);
  });

  it('sizes its buffer from maxLength and the affixes', () => {
    expect(maxLineBytes(rules({ maxLength: 10, prefix: 'ab', suffix: 'c' }))).toBe(107);
  });
});
