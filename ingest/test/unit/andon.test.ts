import { readFileSync } from 'node:fs';
import {
  alertRuleProblems,
  alertRuleSchema,
  andonLabels,
  andonRuleSchema,
  plantModelSchema,
  renderMessage,
  SERVER_MESSAGES,
  type AlertRule,
  type AndonRule,
} from '@takt/protocol';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  andonCallOf,
  andonRulesAt,
  callMessage,
  CLEARED_RECENTLY_MS,
  percentile,
  responseTimes,
  stationCalls,
  type CallAlert,
} from '../../src/alerts/andon';
import { AlertEngine } from '../../src/alerts/engine';

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);
const s = (seconds: number) => T0 + seconds * 1000;

const andon = (over: Partial<AndonRule> & { id: string; call: string }): AndonRule =>
  andonRuleSchema.parse({ kind: 'andon', ...over });

const maintenance = andon({
  id: 'andon-maintenance',
  call: 'maintenance',
  label: { en: 'Maintenance', 'zh-CN': '设备维修' },
  notify: ['chat'],
});
const material = andon({ id: 'andon-material', call: 'material', stations: ['press-01'] });
const off = andon({ id: 'andon-off', call: 'quality', enabled: false });
const rules: AlertRule[] = [maintenance, material, off];

describe('andon rule schema and checks', () => {
  it('takes defaults (warning, every station) and refuses clearForS', () => {
    expect(maintenance.severity).toBe('warning');
    expect(maintenance.stations).toBeUndefined();
    const parsed = alertRuleSchema.safeParse({
      id: 'a',
      kind: 'andon',
      call: 'x',
      clearForS: 5,
    });
    expect(parsed.success).toBe(false);
  });

  it('reports a call made by two rules, and an unknown station', () => {
    const twice = andon({ id: 'andon-maintenance-2', call: 'maintenance' });
    const stranger = andon({ id: 'far', call: 'far', stations: ['nowhere'] });
    const problems = alertRuleProblems(
      [maintenance, twice, stranger],
      new Set(['chat']),
      new Set(['press-01']),
    );
    expect(problems).toEqual([
      {
        path: [1, 'call'],
        message:
          'call "maintenance" is already made by rule "andon-maintenance" (one rule per call)',
      },
      { path: [2, 'stations', 0], message: expect.stringContaining('unknown station "nowhere"') },
    ]);
    // A station the plant declares besides its machines is known when passed.
    expect(
      alertRuleProblems([stranger], new Set(), new Set(['press-01']), new Set(['nowhere'])),
    ).toEqual([]);
  });

  it('the demo plant offers maintenance, material, quality and supervisor calls', () => {
    const yaml = readFileSync(new URL('../../plant/demo-plant.yaml', import.meta.url), 'utf8');
    const plant = plantModelSchema.parse(parseYaml(yaml));
    expect(andonRulesAt(plant, 'press-01').map((r) => r.call)).toEqual([
      'maintenance',
      'material',
      'quality',
      'supervisor',
    ]);
  });
});

describe('andonCallOf', () => {
  it('finds the enabled rule of the call offered at the station', () => {
    const found = andonCallOf(rules, { station: 'press-01', action: 'andon', reason: 'material' });
    expect(found).toEqual({ ok: true, rule: material });
    // The plant model works as a source too; the action is read case-blind.
    const plant = { alerts: { rules, channels: [] } };
    expect(
      andonCallOf(plant, { station: 'cnc-01', action: 'ANDON', reason: 'maintenance' }),
    ).toEqual({ ok: true, rule: maintenance });
  });

  it('refuses an unknown call, a call not offered at the station, a disabled one', () => {
    const refused = { ok: false, reason: 'unknown-call' };
    expect(andonCallOf(rules, { station: 'press-01', action: 'andon', reason: 'coffee' })).toEqual(
      refused,
    );
    expect(andonCallOf(rules, { station: 'cnc-01', action: 'andon', reason: 'material' })).toEqual(
      refused,
    );
    expect(andonCallOf(rules, { station: 'press-01', action: 'andon', reason: 'quality' })).toEqual(
      refused,
    );
    expect(andonCallOf(rules, { station: 'press-01', action: 'andon' })).toEqual(refused);
    expect(andonCallOf(undefined, { station: 'press-01', action: 'andon', reason: 'x' })).toEqual(
      refused,
    );
    expect(andonCallOf(rules, { station: 'press-01', action: 'start' })).toEqual({
      ok: false,
      reason: 'not-a-call',
    });
  });

  it('lists the calls of a station in rule order, without disabled rules', () => {
    expect(andonRulesAt(rules, 'press-01')).toEqual([maintenance, material]);
    expect(andonRulesAt(rules, 'cnc-01')).toEqual([maintenance]);
  });

  it("words the alert with the label in the reader's language, the station and who called", () => {
    const catalog = { ...SERVER_MESSAGES, ...andonLabels(rules) };
    const say = (m: ReturnType<typeof callMessage>, lang: 'en' | 'zh-CN') =>
      renderMessage(catalog, m, lang, { timeZone: 'UTC' });
    expect(say(callMessage(maintenance, 'press-01', '1042'), 'en')).toBe(
      'Maintenance called at press-01 (operator 1042)',
    );
    expect(say(callMessage(maintenance, 'press-01', '1042'), 'zh-CN')).toBe(
      'press-01 呼叫：设备维修（操作员 1042）',
    );
    // No label: the call's own word from the shared catalog.
    expect(say(callMessage(material, 'press-01'), 'en')).toBe('Material called at press-01');
    expect(say(callMessage(material, 'press-01'), 'zh-CN')).toBe('press-01 呼叫：物料');
  });
});

describe('alert engine: raise (andon)', () => {
  const engine = () => new AlertEngine([maintenance, material], 'UTC');

  it('opens at the call time, once per station while open, again after a hand clear', () => {
    const e = engine();
    const opened = e.raise({
      rule: maintenance.id,
      subject: 'press-01',
      at: s(0),
      message: { key: 'legacy.text', params: { text: 'm' } },
    });
    expect(opened.map((x) => x.kind)).toEqual(['opened']);
    expect(opened[0]!.alert).toMatchObject({ openedAt: s(0), status: 'open', subject: 'press-01' });
    expect(opened[0]!.notify).toEqual(['chat']);
    // A second call at the same station while open: nothing. Another station: its own.
    expect(e.raise({ rule: maintenance.id, subject: 'press-01', at: s(5) })).toEqual([]);
    expect(e.raise({ rule: maintenance.id, subject: 'press-02', at: s(6) })).toHaveLength(1);
    // The clock neither clears it nor opens anything.
    expect(e.tick(s(3600))).toEqual([]);
    e.acknowledge(`${maintenance.id}|press-01`, 'ann', null, s(60));
    const cleared = e.clearByHand(`${maintenance.id}|press-01`, 'ann', s(120));
    expect(cleared.notify).toEqual(['chat']);
    expect(e.tick(s(7200))).toEqual([]); // not re-armed into a new alert by the clock
    const again = e.raise({ rule: maintenance.id, subject: 'press-01', at: s(200) });
    expect(again.map((x) => x.alert.openedAt)).toEqual([s(200)]);
  });

  it('opens nothing for a rule not in force', () => {
    expect(engine().raise({ rule: 'nope', subject: 'press-01', at: s(0) })).toEqual([]);
  });
});

const call = (over: Partial<CallAlert>): CallAlert => ({
  id: 1,
  rule: maintenance.id,
  status: 'open',
  openedAt: s(0),
  acknowledgedAt: null,
  acknowledgedBy: null,
  clearedAt: null,
  clearedBy: null,
  ...over,
});

describe('stationCalls', () => {
  it('names each call idle, called, acknowledged or cleared-recently, with the wait', () => {
    const rulesHere = [maintenance, material];
    const now = s(300);
    expect(stationCalls(rulesHere, new Map(), now).map((c) => c.state)).toEqual(['idle', 'idle']);
    const open = new Map([[maintenance.id, call({})]]);
    const [called] = stationCalls(rulesHere, open, now);
    expect(called).toMatchObject({ state: 'called', waitingMs: 300_000 });
    const acked = new Map([
      [
        maintenance.id,
        call({ status: 'acknowledged', acknowledgedAt: s(60), acknowledgedBy: 'ann' }),
      ],
    ]);
    expect(stationCalls(rulesHere, acked, now)[0]).toMatchObject({
      state: 'acknowledged',
      waitingMs: 300_000,
    });
    const cleared = call({ status: 'cleared', clearedAt: s(200), clearedBy: 'ann' });
    const recent = stationCalls(rulesHere, new Map([[maintenance.id, cleared]]), now)[0]!;
    expect(recent).toMatchObject({ state: 'cleared-recently', waitingMs: null });
    expect(recent.alert?.clearedBy).toBe('ann');
    const later = s(200) + CLEARED_RECENTLY_MS;
    expect(stationCalls(rulesHere, new Map([[maintenance.id, cleared]]), later)[0]).toMatchObject({
      state: 'idle',
      alert: null,
    });
  });
});

describe('response times', () => {
  it('nearest-rank percentiles', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7], 0.9)).toBe(7);
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 0.5)).toBe(5);
    expect(percentile(ten, 0.9)).toBe(9);
    expect(percentile(ten, 1)).toBe(10);
  });

  it('per call type: to acknowledge (or a clear nobody acknowledged) and to clear', () => {
    const calls = [
      call({
        id: 1,
        status: 'cleared',
        acknowledgedAt: s(60),
        clearedAt: s(300),
        clearedBy: 'ann',
      }),
      call({ id: 2, openedAt: s(1000), status: 'cleared', clearedAt: s(1120), clearedBy: 'bob' }),
      call({ id: 3, openedAt: s(2000), status: 'acknowledged', acknowledgedAt: s(2030) }),
      call({ id: 4, openedAt: s(3000) }),
      // Removed with its rule: no answer.
      call({
        id: 5,
        openedAt: s(4000),
        status: 'cleared',
        clearedAt: s(4001),
        clearedBy: 'rule-removed',
      }),
      // A station clock ahead of ingest's: no negative time.
      call({ id: 6, openedAt: s(5000), status: 'acknowledged', acknowledgedAt: s(4990) }),
    ];
    const [m, mat] = responseTimes([maintenance, material], calls);
    expect(m).toMatchObject({ count: 6, open: 3 });
    // Acknowledge: 60 s, 120 s (cleared without ack), 30 s, 0 s -> sorted 0, 30, 60, 120.
    expect(m!.acknowledge).toEqual({ count: 4, p50Ms: 30_000, p90Ms: 120_000, maxMs: 120_000 });
    expect(m!.clear).toEqual({ count: 2, p50Ms: 120_000, p90Ms: 300_000, maxMs: 300_000 });
    expect(mat).toMatchObject({
      count: 0,
      open: 0,
      acknowledge: { count: 0, p50Ms: null, p90Ms: null, maxMs: null },
    });
  });
});
