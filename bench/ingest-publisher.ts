/**
 * The sustained ingest bench's publisher, a process of its own (bench/ingest-sustained.ts
 * starts it with an IPC channel): G gateways, each its own MQTT connection and seq, publish
 * metrics messages of 50 readings at QoS 1 at the rate the parent asks for, as a gateway does
 * (a window of unacknowledged messages; a gateway whose window is full waits, so a broker or
 * ingest that cannot keep up shows as the publisher falling behind the offered rate).
 * argv: brokerUrl gateways machinesPerGateway.
 */
import { topics } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';

export const READINGS_PER_MESSAGE = 50;
const WINDOW = 500; // unacknowledged messages per gateway
const TICK_MS = 10;

/** Parent -> publisher. */
export type PublisherCommand =
  { kind: 'step'; pointsPerSec: number; seconds: number } | { kind: 'count' } | { kind: 'stop' };
/** Publisher -> parent: points published and acknowledged by the broker so far. */
export interface PublisherReport {
  kind: 'ready' | 'count' | 'stepDone';
  sentPoints: number;
  ackedPoints: number;
  /** Points the step owed but could not publish (windows full). */
  behindPoints: number;
}

interface Gateway {
  id: string;
  client: MqttClient;
  seq: number;
  inFlight: number;
}

/**
 * A metrics payload as JSON text, written out directly (the same text JSON.stringify gives
 * the object): the publisher stands in for gateways on other hardware, so it should cost this
 * machine as little as it can.
 */
function payload(seq: number, ts: number, machine: number): string {
  let readings = '';
  for (let r = 0; r < READINGS_PER_MESSAGE; r += 1) {
    const value = Math.round(Math.sin(seq + r + machine) * 1000) / 10;
    readings += `${r === 0 ? '' : ','}{"tag":"t${r}","value":${value},"ts":${ts},"quality":"good"}`;
  }
  return `{"v":1,"seq":${seq},"ts":${ts},"readings":[${readings}]}`;
}

async function main(): Promise<void> {
  const [url, gatewaysArg, machinesArg] = process.argv.slice(2);
  const machines = Number(machinesArg);
  const gateways: Gateway[] = await Promise.all(
    Array.from({ length: Number(gatewaysArg) }, async (_, g) => {
      const client = await mqtt.connectAsync(url!, { clientId: `takt-gw-sus-${g}`, clean: true });
      (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
      return { id: `gw-sus-${g}`, client, seq: 0, inFlight: 0 };
    }),
  );
  let sentPoints = 0;
  let ackedPoints = 0;
  let behindPoints = 0;
  const send = (process.send as (m: PublisherReport) => void).bind(process);
  const report = (kind: PublisherReport['kind']) =>
    send({ kind, sentPoints, ackedPoints, behindPoints });

  const publishOne = (gw: Gateway) => {
    gw.seq += 1;
    gw.inFlight += 1;
    sentPoints += READINGS_PER_MESSAGE;
    const machine = gw.seq % machines;
    const topic = topics.machine('bench', gw.id, `${gw.id}-m${machine}`, 'metrics');
    gw.client.publish(topic, payload(gw.seq, Date.now(), machine), { qos: 1 }, (error) => {
      gw.inFlight -= 1;
      if (error) console.error(`publish failed on ${gw.id}: ${error.message}`);
      else ackedPoints += READINGS_PER_MESSAGE;
    });
  };

  /** A fixed offered rate: each tick publishes what the rate owes since the step began. */
  const step = (pointsPerSec: number, seconds: number) =>
    new Promise<void>((resolve) => {
      const t0 = Date.now();
      const messagesPerGw = pointsPerSec / READINGS_PER_MESSAGE / gateways.length;
      const owedDone = gateways.map(() => 0);
      const timer = setInterval(() => {
        const elapsedS = Math.min(seconds, (Date.now() - t0) / 1000);
        gateways.forEach((gw, g) => {
          const owed = Math.floor(messagesPerGw * elapsedS) - owedDone[g]!;
          for (let i = 0; i < owed; i++) {
            owedDone[g]! += 1;
            if (gw.inFlight >= WINDOW) behindPoints += READINGS_PER_MESSAGE;
            else publishOne(gw);
          }
        });
        if (elapsedS >= seconds) {
          clearInterval(timer);
          resolve();
        }
      }, TICK_MS);
    });

  process.on('message', (command: PublisherCommand) => {
    if (command.kind === 'count') report('count');
    else if (command.kind === 'step')
      void step(command.pointsPerSec, command.seconds).then(() => report('stepDone'));
    else void Promise.all(gateways.map((gw) => gw.client.endAsync())).then(() => process.exit(0));
  });
  report('ready');
}

main().catch((error: Error) => {
  console.error(`publisher: ${error.message}`);
  process.exit(1);
});
