/**
 * The plant bench's synthetic plant (bench/plant.ts): N machines on lines of 20, one gateway
 * per line with its own broker account, 10 tags per machine, 5 alert rules per machine, and
 * one multi-operation work order per line. Pure: the plant model YAML
 * (protocol/src/config/plant.ts) and the orders are made here, the processes elsewhere.
 */
import type { WorkOrderInput } from '@takt/protocol';

export const PLANT_SITE = 'bench-plant';
export const MACHINES_PER_GATEWAY = 20;
/** The 10 tags every machine sends each second (one metrics message). */
export const PLANT_TAGS = [
  'temperature',
  'spindle_rpm',
  'pressure',
  'vibration',
  'current',
  'voltage',
  'flow',
  'coolant_temp',
  'feed_rate',
  'torque',
] as const;
export const ALERT_RULES_PER_MACHINE = 5;
/** Operations of each line's work order, on the line's first machines. */
export const ORDER_OPERATIONS = 3;

export interface PlantMachine {
  id: string;
  line: string;
  gateway: string;
  /** Position on its line, 0-based. */
  index: number;
}

export interface PlantGateway {
  id: string;
  line: string;
  machines: PlantMachine[];
}

/** N machines, `m-0001` …, 20 to a line, each line spoken for by its own gateway. */
export function plantMachines(count: number): PlantGateway[] {
  if (!Number.isInteger(count) || count < 1) throw new Error('machines must be a whole number ≥ 1');
  const gateways: PlantGateway[] = [];
  const width = Math.max(4, String(count).length);
  for (let i = 0; i < count; i++) {
    const lineNo = Math.floor(i / MACHINES_PER_GATEWAY) + 1;
    const line = `line-${String(lineNo).padStart(3, '0')}`;
    if (i % MACHINES_PER_GATEWAY === 0) gateways.push({ id: `gw-${line}`, line, machines: [] });
    const gateway = gateways.at(-1)!;
    gateway.machines.push({
      id: `m-${String(i + 1).padStart(width, '0')}`,
      line,
      gateway: gateway.id,
      index: i % MACHINES_PER_GATEWAY,
    });
  }
  return gateways;
}

/** Machines that get a scan now and then: one in ten (positions 5 and 15 of each line). */
export function scansAt(machine: PlantMachine): boolean {
  return machine.index % 10 === 5;
}

/**
 * The plant model: lines, one product, two 12-hour shifts, and per machine five alert rules of
 * the kinds ingest judges on each reading (threshold, rate) and by polling (no-data,
 * machine-down, oee-below), set so that a healthy bench plant rarely trips them.
 */
export function plantModelYaml(gateways: readonly PlantGateway[]): string {
  const machines = gateways.flatMap((g) => g.machines);
  const rule = (fields: Record<string, string | number>) =>
    `    - { ${Object.entries(fields)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')} }`;
  return [
    `site: { id: ${PLANT_SITE}, name: Bench plant, timeZone: Asia/Shanghai }`,
    'lines:',
    ...gateways.flatMap((g) => [
      `  - id: ${g.line}`,
      `    name: ${g.line.replace('line-', 'Line ')}`,
      '    machines:',
      ...g.machines.map(
        (m) =>
          `      - { id: ${m.id}, name: ${m.id.toUpperCase()}, product: part-a, gateway: ${g.id} }`,
      ),
    ]),
    'products:',
    '  - { id: part-a, name: Part A, idealCycleMs: 900 }',
    'shifts:',
    "  - { id: day, name: Day, start: '06:00', end: '18:00' }",
    "  - { id: night, name: Night, start: '18:00', end: '06:00' }",
    'targets: { oee: 0.6 }',
    'alerts:',
    '  channels: []',
    '  rules:',
    ...machines.flatMap((m) => [
      rule({
        id: `${m.id}-hot`,
        kind: 'threshold',
        machines: `[${m.id}]`,
        tag: 'temperature',
        above: 90,
        forS: 10,
      }),
      rule({
        id: `${m.id}-surge`,
        kind: 'rate',
        machines: `[${m.id}]`,
        tag: 'pressure',
        perMinute: 500,
        forS: 5,
      }),
      rule({ id: `${m.id}-silent`, kind: 'no-data', machines: `[${m.id}]`, forS: 120 }),
      rule({ id: `${m.id}-down`, kind: 'machine-down', machines: `[${m.id}]`, forMin: 30 }),
      rule({
        id: `${m.id}-oee`,
        kind: 'oee-below',
        machines: `[${m.id}]`,
        below: 0.05,
        window: '{ rollingMin: 15 }',
      }),
    ]),
    '',
  ].join('\n');
}

/** One open order per line over its first machines, due in two days. */
export function plantOrders(gateways: readonly PlantGateway[], now: number): WorkOrderInput[] {
  return gateways.map((g, i) => ({
    id: `WO-${String(100_000 + i + 1)}`,
    customer: 'Bench customer',
    product: 'part-a',
    quantity: 1_000_000,
    dueAt: new Date(now + 48 * 3_600_000).toISOString(),
    priority: 0,
    operations: g.machines
      .slice(0, ORDER_OPERATIONS)
      .map((m, k) => ({ id: `OP${(k + 1) * 10}`, machine: m.id })),
  }));
}

/** The readings a machine sends at second `tick`: slow waves around each tag's level. */
export function tagValues(machineIndex: number, tick: number): number[] {
  const wave = Math.sin((tick + machineIndex * 7) / 30);
  return PLANT_TAGS.map((_, t) => Math.round((50 + 10 * t + 8 * wave) * 10) / 10);
}
