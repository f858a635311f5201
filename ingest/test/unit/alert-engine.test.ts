import {
  alertRuleSchema,
  renderMessage,
  SERVER_MESSAGES,
  shiftSchema,
  type AlertRule,
} from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import { AlertEngine, type AlertEffect } from '../../src/alerts/engine';
import { AlertWatcher } from '../../src/alerts/stream';
import { shiftWindowAt } from '../../src/alerts/windows';

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0); // Monday 08:00 UTC
const s = (seconds: number) => T0 + seconds * 1000;

function watcher(rules: unknown[], timeZone = 'UTC') {
  const parsed: AlertRule[] = rules.map((r) => alertRuleSchema.parse(r));
  return new AlertWatcher(new AlertEngine(parsed, timeZone), T0);
}

const kinds = (effects: AlertEffect[]) => effects.map((e) => e.kind);

const hot = {
  id: 'hot',
  kind: 'threshold',
  machines: ['press-01'],
  tag: 'temperature',
  above: 80,
  forS: 10,
  clearMargin: 5,
  notify: ['chat'],
};

/** Feed a scripted timeline of [second, value] readings; collect every effect. */
function play(w: AlertWatcher, timeline: [number, number][], tag = 'temperature') {
  const effects: AlertEffect[] = [];
  for (const [sec, value] of timeline) {
    effects.push(...w.sample({ machine: 'press-01', tag, value, ts: s(sec) }));
    effects.push(...w.tick(s(sec)));
  }
  return effects;
}

describe('alert engine: threshold with duration and hysteresis', () => {
  it('opens only after the value stayed above the limit for the duration', () => {
    const w = watcher([hot]);
    const early = play(w, [
      [0, 85],
      [5, 86],
      [7, 70], // dipped: the duration starts over
      [8, 90],
      [15, 91],
    ]);
    expect(early).toEqual([]);
    const effects = play(w, [[18, 92]]);
    expect(kinds(effects)).toEqual(['opened']);
    expect(effects[0]!.alert).toMatchObject({
      rule: 'hot',
      subject: 'press-01',
      status: 'open',
      openedAt: s(18),
      value: 92,
    });
    expect(effects[0]!.notify).toEqual(['chat']);
  });

  it('opens on the clock when readings stop arriving while above the limit', () => {
    const w = watcher([hot]);
    play(w, [[0, 90]]);
    expect(w.tick(s(9))).toEqual([]);
    expect(kinds(w.tick(s(10)))).toEqual(['opened']);
  });

  it('clears only past the hysteresis margin, and one alert per rule and subject', () => {
    const w = watcher([hot]);
    const effects = play(w, [
      [0, 90],
      [10, 90],
      [11, 78], // below the limit but inside the margin: still open
      [12, 95], // back up: the same alert, no second one
      [30, 76],
      [31, 74.9], // 80 - 5 = 75: clear
    ]);
    expect(kinds(effects)).toEqual(['opened', 'cleared']);
    expect(effects[1]!.alert).toMatchObject({ status: 'cleared', clearedBy: 'condition' });
  });

  it('a band alerts on either side', () => {
    const w = watcher([{ ...hot, id: 'band', above: 80, below: 20, forS: 0, clearMargin: 2 }]);
    const effects = play(w, [
      [0, 50],
      [1, 19],
      [2, 21],
      [3, 23],
      [4, 81],
    ]);
    expect(kinds(effects)).toEqual(['opened', 'cleared', 'opened']);
  });
});

describe('alert engine: flapping', () => {
  it('a signal flapping across the limit makes one alert; it clears after the clear condition held', () => {
    const w = watcher([{ ...hot, forS: 0, clearForS: 30 }]);
    const flapping: [number, number][] = [];
    for (let i = 0; i < 20; i++) flapping.push([i * 5, i % 2 === 0 ? 85 : 60]);
    const effects = play(w, flapping);
    expect(kinds(effects)).toEqual(['opened']);
    expect(kinds(play(w, [[100, 60]]))).toEqual([]);
    expect(kinds(play(w, [[125, 60]]))).toEqual(['cleared']); // 95 s .. 125 s clear held 30 s
  });

  it('after a hand clear while still hot, it re-arms only once the clear condition held', () => {
    const w = watcher([{ ...hot, forS: 0, clearForS: 10 }]);
    const [opened] = play(w, [[0, 90]]);
    const cleared = w.engine.clearByHand(opened!.alert.key, 'li.wei', s(1));
    expect(cleared.alert).toMatchObject({ status: 'cleared', clearedBy: 'li.wei' });
    expect(play(w, [[2, 91]])).toEqual([]); // still hot: no new alert
    expect(play(w, [[3, 60]])).toEqual([]);
    expect(play(w, [[8, 91]])).toEqual([]); // clear held only 5 s: not re-armed
    expect(play(w, [[9, 60]])).toEqual([]);
    expect(play(w, [[19, 60]])).toEqual([]); // held 10 s: re-armed
    expect(kinds(play(w, [[20, 95]]))).toEqual(['opened']);
  });
});

describe('alert engine: life cycle and escalation', () => {
  const escalating = { ...hot, forS: 0, escalate: { afterMin: 5, notify: ['phone'] } };

  it('escalates an unacknowledged alert once, to the second channel', () => {
    const w = watcher([escalating]);
    play(w, [[0, 90]]);
    expect(w.tick(s(299))).toEqual([]);
    const escalated = w.tick(s(300));
    expect(kinds(escalated)).toEqual(['escalated']);
    expect(escalated[0]!.notify).toEqual(['phone']);
    expect(w.tick(s(900))).toEqual([]);
    const cleared = play(w, [[901, 10]]);
    expect(cleared[0]!.notify).toEqual(['chat', 'phone']); // both heard it open: both hear it clear
  });

  it('an acknowledged alert does not escalate, and keeps who, when and the comment', () => {
    const w = watcher([escalating]);
    const [opened] = play(w, [[0, 90]]);
    const ack = w.engine.acknowledge(opened!.alert.key, 'zhang.min', 'on my way', s(60));
    expect(ack.alert).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'zhang.min',
      acknowledgedAt: s(60),
      ackComment: 'on my way',
    });
    expect(w.tick(s(600))).toEqual([]);
  });

  it('quiet hours: the alert opens but notifies nobody', () => {
    const w = watcher([{ ...hot, forS: 0, quietHours: { start: '22:00', end: '06:00' } }], 'UTC');
    const night = Date.UTC(2026, 10, 23, 23, 30);
    const effects = w.sample({ machine: 'press-01', tag: 'temperature', value: 99, ts: night });
    expect(effects[0]).toMatchObject({ kind: 'opened', quiet: true, notify: [] });
    const day = w.sample({
      machine: 'press-01',
      tag: 'temperature',
      value: 10,
      ts: s(0) + 86_400_000,
    });
    // Nobody heard it open, so nobody is told it cleared.
    expect(day[0]).toMatchObject({ kind: 'cleared', quiet: false, notify: [] });
    const next = w.sample({
      machine: 'press-01',
      tag: 'temperature',
      value: 99,
      ts: s(60) + 86_400_000,
    });
    expect(next[0]).toMatchObject({ kind: 'opened', quiet: false, notify: ['chat'] });
    const cooled = w.sample({
      machine: 'press-01',
      tag: 'temperature',
      value: 9,
      ts: s(120) + 86_400_000,
    });
    expect(cooled[0]).toMatchObject({ kind: 'cleared', notify: ['chat'] });
  });
});

describe('alert engine: stale data, rates, states, gateways', () => {
  it('no data for N seconds opens; data clears; a stale reading does not move a threshold', () => {
    const w = watcher([
      { id: 'silent', kind: 'no-data', machines: ['press-01'], tag: 'temperature', forS: 30 },
      { ...hot, forS: 0 },
    ]);
    w.sample({ machine: 'press-01', tag: 'temperature', value: 40, ts: s(0) });
    expect(w.tick(s(29))).toEqual([]);
    const silent = w.tick(s(30));
    expect(kinds(silent)).toEqual(['opened']);
    const said = (lang: 'en' | 'zh-CN') =>
      renderMessage(SERVER_MESSAGES, silent[0]!.alert.message, lang, { timeZone: 'UTC' });
    expect(said('en')).toBe('no data from press-01 temperature for 30 s');
    expect(said('zh-CN')).toBe('press-01 temperature 已 30 秒 没有数据');
    const back = w.sample({ machine: 'press-01', tag: 'temperature', value: 41, ts: s(31) });
    expect(kinds(back)).toEqual(['cleared']);
    // A replayed reading older than the newest (store-and-forward) is not the current value.
    expect(w.sample({ machine: 'press-01', tag: 'temperature', value: 99, ts: s(5) })).toEqual([]);
  });

  it('a machine that never reported is silent from ingest start', () => {
    const w = watcher([{ id: 'silent', kind: 'no-data', machines: ['cnc-09'], forS: 60 }]);
    expect(w.tick(s(59))).toEqual([]);
    expect(kinds(w.tick(s(60)))).toEqual(['opened']);
    expect(kinds(w.state('cnc-09', 'running', s(61)))).toEqual(['cleared']);
  });

  it('rate of change per minute, either way', () => {
    const w = watcher([
      { id: 'jump', kind: 'rate', machines: ['press-01'], tag: 'pressure', perMinute: 10 },
    ]);
    const effects = play(
      w,
      [
        [0, 100],
        [60, 105], // 5/min
        [90, 95], // -20/min
        [150, 96],
      ],
      'pressure',
    );
    expect(kinds(effects)).toEqual(['opened', 'cleared']);
  });

  it('machine down longer than N minutes', () => {
    const w = watcher([{ id: 'down', kind: 'machine-down', machines: ['press-01'], forMin: 5 }]);
    w.state('press-01', 'down', s(0));
    expect(w.tick(s(299))).toEqual([]);
    expect(kinds(w.tick(s(300)))).toEqual(['opened']);
    expect(kinds(w.state('press-01', 'running', s(400)))).toEqual(['cleared']);
  });

  it('gateway offline from its last will, back online clears', () => {
    const w = watcher([{ id: 'gw', kind: 'gateway-offline', forS: 0 }]);
    expect(kinds(w.gatewayStatus('gw-1', false, s(0)))).toEqual(['opened']);
    expect(w.gatewayStatus('gw-1', false, s(5))).toEqual([]);
    expect(kinds(w.gatewayStatus('gw-1', true, s(9)))).toEqual(['cleared']);
  });
});

describe('alert engine: OEE per shift', () => {
  const shifts = [
    { id: 'early', name: 'Early', start: '06:00', end: '14:00', days: ['mon'] },
    { id: 'late', name: 'Late', start: '14:00', end: '22:00', days: ['mon'] },
  ].map((x) => shiftSchema.parse(x));
  const rule = alertRuleSchema.parse({
    id: 'oee-low',
    kind: 'oee-below',
    machines: ['press-01'],
    below: 0.6,
    clearMargin: 0.05,
    minPlannedMin: 15,
  });
  const figures = (oee: number, plannedMin: number) => ({
    oee,
    availability: 1,
    performance: oee,
    quality: 1,
    plannedMs: plannedMin * 60_000,
  });

  it('finds the shift of an instant in the site time zone, overnight too', () => {
    const tz = 'Asia/Shanghai'; // UTC+8
    const at = Date.UTC(2026, 10, 23, 2, 0); // 10:00 local, Monday
    expect(shiftWindowAt(shifts, at, tz)).toMatchObject({
      key: 'early@2026-11-23',
      from: Date.UTC(2026, 10, 22, 22, 0),
    });
    expect(shiftWindowAt(shifts, Date.UTC(2026, 10, 23, 15, 0), tz)).toBeUndefined();
    const night = [{ ...shifts[0]!, id: 'night', start: '22:00', end: '06:00', days: ['sun'] }];
    expect(shiftWindowAt(night as typeof shifts, Date.UTC(2026, 10, 22, 20, 0), tz)).toMatchObject({
      key: 'night@2026-11-22',
    }); // Monday 04:00 local belongs to Sunday's night shift
  });

  it('not judged early in a shift; opens below target; the next shift starts fresh', () => {
    const w = watcher([rule]);
    const r = rule as Extract<AlertRule, { kind: 'oee-below' }>;
    const early = 'early@2026-11-23';
    expect(w.oee(r, 'press-01', early, figures(0.3, 10), s(0))).toEqual([]); // 10 min planned
    expect(kinds(w.oee(r, 'press-01', early, figures(0.4, 20), s(600)))).toEqual(['opened']);
    expect(w.oee(r, 'press-01', early, figures(0.62, 30), s(1200))).toEqual([]); // inside margin
    const next = w.oee(r, 'press-01', 'late@2026-11-23', figures(0.2, 1), s(2000));
    expect(kinds(next)).toEqual(['cleared']);
    expect(next[0]!.alert.clearedBy).toBe('window-ended');
    expect(kinds(w.oee(r, 'press-01', 'late@2026-11-23', figures(0.2, 16), s(3000)))).toEqual([
      'opened',
    ]);
  });
});

describe('alert engine: polled conditions (work orders)', () => {
  it('opens and clears from signals given by a polled check', () => {
    const w = watcher([{ id: 'stall', kind: 'work-order-stalled', forH: 2 }]);
    const open = w.engine.signal({ rule: 'stall', subject: 'WO-1', signal: 'active', at: s(0) });
    expect(kinds(open)).toEqual(['opened']);
    expect(w.engine.signal({ rule: 'stall', subject: 'WO-1', signal: 'active', at: s(5) })).toEqual(
      [],
    );
    expect(
      kinds(w.engine.signal({ rule: 'stall', subject: 'WO-1', signal: 'clear', at: s(9) })),
    ).toEqual(['cleared']);
  });

  it('removing a rule clears its alerts', () => {
    const w = watcher([{ id: 'stall', kind: 'work-order-stalled', forH: 2 }]);
    w.engine.signal({ rule: 'stall', subject: 'WO-1', signal: 'active', at: s(0) });
    const effects = w.engine.setRules([], s(10));
    expect(effects[0]!.alert).toMatchObject({ status: 'cleared', clearedBy: 'rule-removed' });
  });
});
