import { describe, expect, it } from 'vitest';
import { mapReadings, type DeviceTags, type MachineMemory, type TagReading } from '../../src';

const device: DeviceTags = {
  machine: 'press-01',
  tags: [
    { name: 'good_count', channel: 'count.good' },
    { name: 'reject_count', channel: 'count.reject' },
    { name: 'state', channel: 'state', states: { '1': 'running', '3': 'down' } },
    { name: 'temperature', channel: 'metric', unit: 'degC' },
    { name: 'spindle', channel: 'metric', machine: 'press-02' },
  ],
};

const r = (
  tag: string,
  value: TagReading['value'],
  quality: TagReading['quality'] = 'good',
  ts = 1000,
): TagReading => ({ tag, value, quality, ts });

describe('mapReadings', () => {
  it('groups one poll into metrics, state and count messages per machine', () => {
    const memory = new Map<string, MachineMemory>();
    const out = mapReadings(
      device,
      [
        r('good_count', 10),
        r('reject_count', 1),
        r('state', 1),
        r('temperature', 43.1),
        r('spindle', 1200),
      ],
      memory,
      1000,
      60_000,
    );
    expect(out).toEqual([
      {
        machineId: 'press-01',
        kind: 'metrics',
        body: {
          readings: [{ tag: 'temperature', value: 43.1, ts: 1000, quality: 'good', unit: 'degC' }],
        },
      },
      { machineId: 'press-01', kind: 'state', body: { state: 'running', code: 1 } },
      { machineId: 'press-01', kind: 'count', body: { good: 10, reject: 1 } },
      {
        machineId: 'press-02',
        kind: 'metrics',
        body: { readings: [{ tag: 'spindle', value: 1200, ts: 1000, quality: 'good' }] },
      },
    ]);
  });

  it('sends state and counts again only on change or heartbeat', () => {
    const memory = new Map<string, MachineMemory>();
    const poll = (good: number, state: number, now: number) =>
      mapReadings(
        device,
        [r('good_count', good), r('reject_count', 0), r('state', state)],
        memory,
        now,
        60_000,
      ).map((m) => m.kind);
    expect(poll(10, 1, 0)).toEqual(['state', 'count']);
    expect(poll(10, 1, 1000)).toEqual([]);
    expect(poll(11, 1, 2000)).toEqual(['count']);
    expect(poll(11, 3, 3000)).toEqual(['state']);
    expect(poll(11, 3, 63_000)).toEqual(['state', 'count']);
  });

  it('turns a bad read into unknown state and no count, and keeps metric quality', () => {
    const out = mapReadings(
      device,
      [r('state', null, 'bad'), r('good_count', null, 'bad'), r('temperature', null, 'bad')],
      new Map(),
      0,
      60_000,
    );
    expect(out).toEqual([
      {
        machineId: 'press-01',
        kind: 'metrics',
        body: {
          readings: [{ tag: 'temperature', value: null, ts: 1000, quality: 'bad', unit: 'degC' }],
        },
      },
      { machineId: 'press-01', kind: 'state', body: { state: 'unknown', reason: 'no_data' } },
    ]);
  });

  it('maps an unlisted PLC code to unknown and keeps the code', () => {
    const out = mapReadings(device, [r('state', 42)], new Map(), 0, 60_000);
    expect(out[0]).toEqual({
      machineId: 'press-01',
      kind: 'state',
      body: { state: 'unknown', code: 42, reason: 'unmapped_code' },
    });
  });

  it('carries the counter rollover', () => {
    const out = mapReadings(
      device,
      [{ ...r('good_count', 5), rollover: 65536 }, r('reject_count', 0)],
      new Map(),
      0,
      60_000,
    );
    expect(out[0]).toEqual({
      machineId: 'press-01',
      kind: 'count',
      body: { good: 5, reject: 0, rollover: 65536 },
    });
  });
});

describe('report by exception', () => {
  const rbe: DeviceTags = {
    machine: 'm',
    tags: [
      { name: 'temp', channel: 'metric', deadband: 0.5 },
      { name: 'flag', channel: 'metric', deadband: 0 },
    ],
  };
  const poll = (
    memory: Map<string, MachineMemory>,
    temp: number,
    flag: boolean,
    now: number,
    quality: TagReading['quality'] = 'good',
  ) =>
    mapReadings(rbe, [r('temp', temp, quality), r('flag', flag)], memory, now, 10_000).flatMap(
      (m) =>
        m.kind === 'metrics' ? m.body.readings.map((x) => `${x.tag}=${String(x.value)}`) : [],
    );

  it('sends a value only when it moved past the deadband, changed quality, or the heartbeat is due', () => {
    const memory = new Map<string, MachineMemory>();
    expect(poll(memory, 40, false, 0)).toEqual(['temp=40', 'flag=false']);
    expect(poll(memory, 40.4, false, 1000)).toEqual([]);
    expect(poll(memory, 40.6, false, 2000)).toEqual(['temp=40.6']);
    expect(poll(memory, 40.6, true, 3000)).toEqual(['flag=true']);
    expect(poll(memory, 40.6, true, 4000, 'bad')).toEqual(['temp=40.6']);
    expect(poll(memory, 40.6, true, 14_000, 'bad')).toEqual(['temp=40.6', 'flag=true']);
  });
});

describe('scans', () => {
  it('publishes every scan of a station with its parsed fields', () => {
    const scanner: DeviceTags = { machine: 'station-3', tags: [{ name: 'scan', channel: 'scan' }] };
    const out = mapReadings(
      scanner,
      [
        {
          tag: 'scan',
          value: 'WO1001-OP10',
          quality: 'good',
          ts: 5,
          scan: { workOrder: '1001', operation: 'OP10', action: 'start' },
        },
        { tag: 'scan', value: 'X', quality: 'good', ts: 6, scan: { action: 'unknown' } },
      ],
      new Map(),
      6,
      60_000,
    );
    expect(out).toEqual([
      {
        machineId: 'station-3',
        kind: 'scan',
        body: { code: 'WO1001-OP10', workOrder: '1001', operation: 'OP10', action: 'start' },
      },
      { machineId: 'station-3', kind: 'scan', body: { code: 'X', action: 'unknown' } },
    ]);
  });
});

describe('counts from push drivers and bad reject reads', () => {
  it('never makes up a reject value for a machine that has a reject tag', () => {
    const memory = new Map<string, MachineMemory>();
    const kinds = (readings: TagReading[], now: number) =>
      mapReadings(device, readings, memory, now, 60_000)
        .filter((m) => m.kind === 'count')
        .map((m) => m.body);
    expect(kinds([r('good_count', 10), r('reject_count', null, 'bad')], 0)).toEqual([]);
    expect(kinds([r('good_count', 10), r('reject_count', 500)], 1)).toEqual([
      { good: 10, reject: 500 },
    ]);
    expect(kinds([r('good_count', 11), r('reject_count', null, 'bad')], 2)).toEqual([
      { good: 11, reject: 500 },
    ]);
    expect(kinds([r('reject_count', 501)], 3)).toEqual([{ good: 11, reject: 501 }]); // a lone push change
  });

  it('sends reject 0 for a machine without a reject tag', () => {
    const onlyGood: DeviceTags = { machine: 'm', tags: [{ name: 'g', channel: 'count.good' }] };
    const out = mapReadings(onlyGood, [r('g', 3)], new Map(), 0, 60_000);
    expect(out).toEqual([{ machineId: 'm', kind: 'count', body: { good: 3, reject: 0 } }]);
  });
});
