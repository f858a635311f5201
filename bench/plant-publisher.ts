/**
 * The plant bench's publisher, a process of its own (bench/plant.ts starts it with an IPC
 * channel): every gateway of the synthetic plant (bench/plant-model.ts) connects with its own
 * broker account and, once a second at its own offset within the second, sends each of its
 * machines' 10 tags (one metrics message), absolute counts, its state when it changes, and
 * at a tenth of the machines now and then a badge scan; the work orders' operations are
 * started by scans first. Everything QoS 1 with the gateway's own seq; ingest's acks
 * (docs/decisions.md "Delivery guarantees") give publish→commit lag per message and what
 * was never committed. Answers each `report` message from the parent with its figures.
 */
import { readFileSync } from 'node:fs';
import { topics, type MachineState } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { LatencyHistogram } from './plant-stats';
import { PLANT_SITE, PLANT_TAGS, scansAt, tagValues, type PlantGateway } from './plant-model';

export interface PublisherConfig {
  brokerUrl: string;
  gateways: (PlantGateway & { username: string; password: string })[];
  /** Operations to start by a scan at their machine before the first readings. */
  starts: { machine: string; gateway: string; workOrder: string; operation: string }[];
}

export interface PublisherReport {
  type: 'report';
  readingsSent: number;
  messagesSent: number;
  messagesAcked: number;
  /** Readings in the messages acked (committed). */
  readingsAcked: number;
  /** Published, not acked yet. */
  unacked: number;
  publishErrors: number;
  /** publish→ack lag since the last report, and since `measure`, as [ms, count] pairs. */
  lagWindow: [number, number][];
  lagRun: [number, number][];
}

export type PublisherCommand = { type: 'report' } | { type: 'measure' } | { type: 'stop' };

const STATES: readonly MachineState[] = ['running', 'running', 'running', 'idle', 'down'];

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as PublisherConfig;
  const lagWindow = new LatencyHistogram();
  const lagRun = new LatencyHistogram();
  let readingsSent = 0;
  let messagesSent = 0;
  let messagesAcked = 0;
  let readingsAcked = 0;
  let publishErrors = 0;
  /** Per gateway: seq → publish time and readings carried. */
  const pendingOf = new Map<string, Map<number, { at: number; readings: number }>>();
  const seqOf = new Map<string, number>();
  const clients = new Map<string, MqttClient>();

  for (const g of config.gateways) {
    const client = await mqtt.connectAsync(config.brokerUrl, {
      clientId: `takt-gw-${g.id}`,
      username: g.username,
      password: g.password,
      reconnectPeriod: 1000,
    });
    // TCP_NODELAY, as Takt's edge agent sets it (edge-agent/src/publisher.ts): without it a
    // gateway's tick of 40 small messages can wait on Nagle's algorithm for the broker's
    // delayed ACK (docs/decisions.md "Measured on these machines").
    const noDelay = () =>
      (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
    noDelay();
    client.on('connect', noDelay);
    const pending = new Map<number, { at: number; readings: number }>();
    pendingOf.set(g.id, pending);
    seqOf.set(g.id, 0);
    client.on('message', (_topic, body) => {
      const now = Date.now();
      const ack = JSON.parse(body.toString()) as { ranges: [number, number][] };
      for (const [from, to] of ack.ranges)
        for (let seq = from; seq <= to; seq++) {
          const sent = pending.get(seq);
          if (sent === undefined) continue;
          pending.delete(seq);
          messagesAcked += 1;
          readingsAcked += sent.readings;
          lagWindow.add(now - sent.at);
          lagRun.add(now - sent.at);
        }
    });
    await client.subscribeAsync(topics.ack(PLANT_SITE, g.id), { qos: 1 });
    // Birth, retained, as a gateway's agent announces itself.
    await client.publishAsync(
      topics.status(PLANT_SITE, g.id),
      JSON.stringify({ v: 1, ts: Date.now(), status: 'online' }),
      { qos: 1, retain: true },
    );
    clients.set(g.id, client);
  }

  const send = (
    gateway: string,
    machine: string,
    kind: 'metrics' | 'state' | 'count' | 'scan',
    body: object,
  ) => {
    const seq = seqOf.get(gateway)! + 1;
    seqOf.set(gateway, seq);
    const now = Date.now();
    pendingOf
      .get(gateway)!
      .set(seq, { at: now, readings: kind === 'metrics' ? PLANT_TAGS.length : 0 });
    messagesSent += 1;
    clients
      .get(gateway)!
      .publishAsync(
        topics.machine(PLANT_SITE, gateway, machine, kind),
        JSON.stringify({ v: 1, seq, ts: now, ...body }),
        { qos: 1 },
      )
      .catch(() => {
        publishErrors += 1;
      });
  };

  for (const s of config.starts)
    send(s.gateway, s.machine, 'scan', {
      code: `${s.workOrder}|${s.operation}`,
      workOrder: s.workOrder,
      operation: s.operation,
      action: 'start',
    });

  const machineState = new Map(
    config.gateways.flatMap((g) =>
      g.machines.map((m) => [m.id, { state: 'running' as MachineState, good: 0, reject: 0 }]),
    ),
  );
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  config.gateways.forEach((g, gi) => {
    let tick = 0;
    const publishTick = () => {
      if (stopped) return;
      tick += 1;
      const ts = Date.now();
      for (const m of g.machines) {
        const s = machineState.get(m.id)!;
        if (tick === 1 || Math.random() < 0.02) {
          s.state = tick === 1 ? 'running' : STATES[Math.floor(Math.random() * STATES.length)]!;
          send(g.id, m.id, 'state', { state: s.state });
        }
        if (s.state === 'running') {
          s.good += 1;
          if (Math.random() < 0.02) s.reject += 1;
        }
        const values = tagValues(m.index, tick);
        send(g.id, m.id, 'metrics', {
          readings: PLANT_TAGS.map((tag, t) => ({ tag, value: values[t]!, ts, quality: 'good' })),
        });
        readingsSent += PLANT_TAGS.length;
        send(g.id, m.id, 'count', { good: s.good, reject: s.reject });
        if (scansAt(m) && (tick + m.index) % 60 === 0)
          send(g.id, m.id, 'scan', {
            code: `E${1000 + m.index}`,
            action: 'login',
            operator: String(1000 + m.index),
          });
      }
    };
    // Gateways are not in step: each starts at its own offset within the second.
    const offset = Math.round((gi / config.gateways.length) * 1000);
    timers.push(
      setTimeout(() => {
        publishTick();
        timers.push(setInterval(publishTick, 1000));
      }, offset),
    );
  });

  const report = (): PublisherReport => {
    const r: PublisherReport = {
      type: 'report',
      readingsSent,
      messagesSent,
      messagesAcked,
      readingsAcked,
      unacked: [...pendingOf.values()].reduce((n, p) => n + p.size, 0),
      publishErrors,
      lagWindow: lagWindow.toPairs(),
      lagRun: lagRun.toPairs(),
    };
    lagWindow.reset();
    return r;
  };
  process.on('message', (cmd: PublisherCommand) => {
    if (cmd.type === 'report') process.send!(report());
    else if (cmd.type === 'measure') {
      lagRun.reset();
      lagWindow.reset();
    } else if (cmd.type === 'stop') {
      stopped = true;
      timers.forEach((t) => clearTimeout(t));
      process.send!({ type: 'stopped' });
    }
  });
  process.on('disconnect', () => {
    void Promise.all([...clients.values()].map((c) => c.endAsync())).then(() => process.exit(0));
  });
  process.send!({ type: 'ready' });
}

main().catch((error: Error) => {
  process.stderr.write(`publisher: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
