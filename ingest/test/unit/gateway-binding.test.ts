import type { DecodedMessage } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import {
  firstSightClaims,
  judgeBindings,
  subjectsOf,
  type Bindings,
} from '../../src/pipeline/bindings';

const TS = Date.UTC(2026, 11, 6, 10);
const state = (gatewayId: string, machineId: string, seq = 1): DecodedMessage => ({
  site: 'demo-plant',
  gatewayId,
  machineId,
  kind: 'state',
  payload: { v: 1, seq, ts: TS, state: 'down' },
});
const scan = (gatewayId: string, station: string): DecodedMessage => ({
  site: 'demo-plant',
  gatewayId,
  machineId: station,
  kind: 'scan',
  payload: { v: 1, seq: 7, ts: TS, code: 'WO-1|OP10', workOrder: 'WO-1', action: 'start' },
});
const status = (gatewayId: string): DecodedMessage => ({
  site: 'demo-plant',
  gatewayId,
  kind: 'status',
  payload: { v: 1, ts: TS, status: 'online' },
});
const bound: Bindings = new Map([
  ['machine/press-01', 'gw-demo-1'],
  ['machine/press-02', 'gw-demo-1'],
  ['station/press-02', 'gw-demo-1'],
]);

describe('gateway bindings (issue 18)', () => {
  it("keeps a gateway's messages for its own machines and refuses another gateway's, with the reason", () => {
    const own = state('gw-demo-1', 'press-01');
    const spoofed = state('gw-evil', 'press-01', 2);
    const spoofedScan = scan('gw-evil', 'press-02');
    const { kept, refused } = judgeBindings([own, spoofed, spoofedScan], bound);
    expect(kept).toEqual([own]);
    expect(refused.map((d) => [d.topic, d.reason])).toEqual([
      [
        'takt/v1/demo-plant/gw-evil/press-01/state',
        'machine press-01 belongs to gateway gw-demo-1, not gw-evil',
      ],
      [
        'takt/v1/demo-plant/gw-evil/press-02/scan',
        'station press-02 belongs to gateway gw-demo-1, not gw-evil',
      ],
    ]);
    expect(JSON.parse(refused[0]!.payload.toString())).toEqual(spoofed.payload);
  });

  it("passes a gateway's own status and a station browser's scan unjudged", () => {
    const messages = [status('gw-evil'), scan('web:3f9a', 'press-01')];
    expect(subjectsOf(messages)).toEqual([]);
    expect(judgeBindings(messages, new Map()).kept).toEqual(messages);
    expect(firstSightClaims(messages, new Map()).size).toBe(0);
  });

  it('refuses, failing closed, a message for a machine bound to no gateway', () => {
    const { kept, refused } = judgeBindings([state('gw-demo-1', 'cnc-09')], new Map());
    expect(kept).toEqual([]);
    expect(refused[0]!.reason).toBe('machine cnc-09 is bound to no gateway');
  });

  it('lets the first message of a batch claim an unbound machine or station, and only those', () => {
    const messages = [
      state('gw-a', 'cnc-09'),
      state('gw-b', 'cnc-09', 2),
      state('gw-b', 'press-01', 3),
      scan('gw-b', 'press-01'),
      scan('web:3f9a', 'bench-2'),
    ];
    expect(subjectsOf(messages)).toEqual([
      { id: 'cnc-09', role: 'machine' },
      { id: 'press-01', role: 'machine' },
      { id: 'press-01', role: 'station' },
    ]);
    const claims = firstSightClaims(messages, bound);
    // press-01's data is bound, the station of that id is not: its scanner may be elsewhere.
    expect([...claims.values()]).toEqual([
      { id: 'cnc-09', role: 'machine', gateway: 'gw-a' },
      { id: 'press-01', role: 'station', gateway: 'gw-b' },
    ]);
    // After the claims are stored, gw-b's cnc-09 message in the same batch is foreign.
    const after = new Map([...bound, ...[...claims].map(([k, c]) => [k, c.gateway] as const)]);
    const { kept, refused } = judgeBindings(messages, after);
    expect(kept).toEqual([messages[0], messages[3], messages[4]]);
    expect(refused.map((d) => d.reason)).toEqual([
      'machine cnc-09 belongs to gateway gw-a, not gw-b',
      'machine press-01 belongs to gateway gw-demo-1, not gw-b',
    ]);
  });
});
