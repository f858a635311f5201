import type { MachineSnapshot } from '@takt/protocol/live';

export const T0 = Date.parse('2025-03-01T08:00:00.000Z');
export const iso = (ms: number) => new Date(ms).toISOString();

export function machine(overrides: Partial<MachineSnapshot> & { id: string }): MachineSnapshot {
  return {
    name: overrides.id.toUpperCase(),
    line: 'line-1',
    lineName: 'Line 1',
    site: 'plant-a',
    gatewayId: 'gw-1',
    state: 'running',
    stateReason: null,
    stateSince: iso(T0 - 60_000),
    counts: { good: 10, reject: 1, since: iso(T0 - 3_600_000) },
    values: { temperature: { value: 61.5, unit: '°C', quality: 'good', at: iso(T0) } },
    lastSeenAt: iso(T0),
    ...overrides,
  };
}
