/**
 * The dashboard bench's factory: a plant model of N machines (lines of 20), written to a
 * temp YAML file as a plant engineer would, and a publisher that sends what each line's
 * gateway sends over MQTT: every second each machine's telemetry (metrics) and absolute
 * counts, and its state when it changes (about one machine in fifty a second), all QoS 1
 * with the gateway's own monotonic seq (docs/decisions.md "Wire format").
 */
import { writeFileSync } from 'node:fs';
import { topics, type MachineState } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';

export const BENCH_SITE = 'bench-plant';
const PER_LINE = 20;

export interface BenchMachine {
  id: string;
  line: string;
  gateway: string;
}

export function benchMachines(count: number): BenchMachine[] {
  return Array.from({ length: count }, (_, i) => {
    const line = Math.floor(i / PER_LINE) + 1;
    return {
      id: `m-${String(i + 1).padStart(3, '0')}`,
      line: `line-${line}`,
      gateway: `gw-line-${line}`,
    };
  });
}

/** The plant model YAML (protocol/src/config/plant.ts): lines, products, a round-the-clock calendar. */
export function writePlantModel(file: string, machines: readonly BenchMachine[]): void {
  const lines = [...new Set(machines.map((m) => m.line))];
  const yaml = [
    'site: { id: bench-plant, name: Bench plant, timeZone: Asia/Shanghai }',
    'lines:',
    ...lines.flatMap((line) => [
      `  - id: ${line}`,
      `    name: ${line.replace('line-', 'Line ')}`,
      '    machines:',
      ...machines
        .filter((m) => m.line === line)
        .map((m) => `      - { id: ${m.id}, name: ${m.id.toUpperCase()}, product: part-a }`),
    ]),
    'products:',
    '  - { id: part-a, name: Part A, idealCycleMs: 1000 }',
    'shifts:',
    "  - { id: day, name: Day, start: '06:00', end: '18:00' }",
    "  - { id: night, name: Night, start: '18:00', end: '06:00' }",
    'targets: { oee: 0.8 }',
    '',
  ].join('\n');
  writeFileSync(file, yaml);
}

const STATES: readonly MachineState[] = ['running', 'running', 'running', 'idle', 'down'];

/** One gateway per line, publishing its machines once a second until `stop()`. */
export async function startPublisher(
  brokerUrl: string,
  machines: readonly BenchMachine[],
  /** Seconds of past readings (1 s apart) sent first, as a plant that has been running. */
  historyS = 0,
): Promise<{ sent: () => number; stop: () => Promise<void> }> {
  const gateways = new Map<string, BenchMachine[]>();
  for (const m of machines) gateways.set(m.gateway, [...(gateways.get(m.gateway) ?? []), m]);
  const clients = new Map<string, MqttClient>();
  for (const gateway of gateways.keys())
    clients.set(gateway, await mqtt.connectAsync(brokerUrl, { clientId: `bench-${gateway}` }));
  // Birth, retained, as a gateway's agent announces itself (its last will would say offline).
  for (const [gateway, client] of clients)
    await client.publishAsync(
      topics.status(BENCH_SITE, gateway),
      JSON.stringify({ v: 1, ts: Date.now(), status: 'online' }),
      { qos: 1, retain: true },
    );
  const seqs = new Map<string, number>([...gateways.keys()].map((g) => [g, 0]));
  const state = new Map(machines.map((m) => [m.id, { state: 'running', good: 0, reject: 0 }]));
  let sent = 0;
  let tick = 0;

  const publishTick = () => {
    const ts = Date.now();
    tick += 1;
    for (const [gateway, list] of gateways) {
      const client = clients.get(gateway)!;
      const next = () => {
        const seq = seqs.get(gateway)! + 1;
        seqs.set(gateway, seq);
        return seq;
      };
      const send = (m: BenchMachine, kind: 'metrics' | 'state' | 'count', body: object) => {
        sent += 1;
        void client
          .publishAsync(
            topics.machine(BENCH_SITE, gateway, m.id, kind),
            JSON.stringify({ v: 1, seq: next(), ts, ...body }),
            { qos: 1 },
          )
          .catch(() => undefined);
      };
      list.forEach((m, i) => {
        const s = state.get(m.id)!;
        const first = tick === 1;
        if (first || Math.random() < 0.02) {
          s.state = first ? 'running' : STATES[Math.floor(Math.random() * STATES.length)]!;
          send(m, 'state', { state: s.state });
        }
        if (s.state === 'running') s.good += 1;
        if (s.state === 'running' && Math.random() < 0.02) s.reject += 1;
        const wave = Math.sin((tick + i) / 30);
        send(m, 'metrics', {
          readings: [
            {
              tag: 'temperature',
              value: Math.round((60 + 8 * wave) * 10) / 10,
              ts,
              quality: 'good',
            },
            { tag: 'spindle_rpm', value: Math.round(1200 + 300 * wave), ts, quality: 'good' },
          ],
        });
        send(m, 'count', { good: s.good, reject: s.reject });
      });
    }
  };
  if (historyS > 0) {
    const now = Date.now();
    for (const [gateway, list] of gateways) {
      const client = clients.get(gateway)!;
      for (const [i, m] of list.entries()) {
        const readings = [];
        for (let s = historyS; s >= 1; s--) {
          const ts = now - s * 1000;
          const wave = Math.sin((i - s) / 30);
          readings.push(
            {
              tag: 'temperature',
              value: Math.round((60 + 8 * wave) * 10) / 10,
              ts,
              quality: 'good',
            },
            { tag: 'spindle_rpm', value: Math.round(1200 + 300 * wave), ts, quality: 'good' },
          );
        }
        const seq = seqs.get(gateway)! + 1;
        seqs.set(gateway, seq);
        sent += 1;
        await client.publishAsync(
          topics.machine(BENCH_SITE, gateway, m.id, 'metrics'),
          JSON.stringify({ v: 1, seq, ts: now, readings }),
          { qos: 1 },
        );
      }
    }
  }
  publishTick();
  const timer = setInterval(publishTick, 1000);
  return {
    sent: () => sent,
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...clients.values()].map((c) => c.endAsync()));
    },
  };
}
