import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, startBroker, type RunningBroker } from '@takt/broker';
import { startEdgeAgent, type RunningEdgeAgent } from '@takt/edge-agent';
import { startIngest, type RunningIngest } from '@takt/ingest';
import { gatewayConfigSchema, type MachineSnapshot } from '@takt/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn } from '../../ingest/test/helpers/auth';
import { createTestDatabase } from '../helpers/db';
import { testLog } from '../helpers/logger';
import { waitFor } from '../helpers/wait';

/*
 * Issue 24's two halves agree: a Takt gateway in Sparkplug mode `only` (nothing on takt/v1/
 * but its status) is read by ingest's Sparkplug host through a plant-model mapping of the
 * metric names docs/wire.md "Sparkplug B out" gives, and its machine shows in /api/machines.
 */
const PW = 'round-trip-pw';
const tmp = mkdtempSync(join(tmpdir(), 'takt-sp-rt-'));
let broker: RunningBroker;
let ingest: RunningIngest;
let agent: RunningEdgeAgent | undefined;

const plant = `
site: { id: rt, name: Round trip, timeZone: UTC }
lines:
  - id: line-rt
    name: Line RT
    machines:
      - { id: press-9, name: Press 9, gateway: gw-sp-rt }
sparkplug:
  groups: [Plant]
  unmapped: ignore # state/code has no place in the mapping
  nodes:
    - group: Plant
      node: gw-sp-rt
      gateway: gw-sp-rt
      devices:
        - device: press-9
          machine: press-9
          tags: { tags/speed: speed }
          state:
            metric: state
            values: { running: running, reduced_speed: reduced_speed, microstop: microstop, idle: idle, down: down, unknown: unknown }
          good: count/good
          reject: count/reject
`;

beforeAll(async () => {
  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [
      {
        username: 'gw-sp-rt',
        passwordHash: await hashPassword(PW),
        role: 'gateway',
        site: 'rt',
        gatewayId: 'gw-sp-rt',
        sparkplug: { group: 'Plant' },
      },
      { username: 'ingest', passwordHash: await hashPassword(PW), role: 'ingest' },
    ],
    log: testLog,
  });
  const plantFile = join(tmp, 'plant.yaml');
  writeFileSync(plantFile, plant);
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_sparkplug_round_trip'),
    mqtt: {
      url: `mqtt://127.0.0.1:${broker.port}`,
      username: 'ingest',
      password: PW,
      clientId: 'ingest-sp-rt',
    },
    http: { host: '127.0.0.1', port: 0 },
    plantFile,
    batch: { maxItems: 500, maxDelayMs: 20 },
    log: testLog,
  });
  await ingest.subscribed;
});
afterAll(async () => {
  await agent?.stop(3000);
  await ingest?.stop();
  await broker?.stop();
});

describe('Sparkplug B out read by Sparkplug B in', () => {
  it('stores a Takt gateway’s Sparkplug machine: state, a tag and counts', async () => {
    const config = gatewayConfigSchema.parse({
      gateway: { id: 'gw-sp-rt', site: 'rt' },
      mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, username: 'gw-sp-rt' },
      stateDir: tmp,
      sparkplug: { group: 'Plant', mode: 'only' },
      devices: [
        {
          id: 'sim',
          driver: 'simulated',
          machine: 'press-9',
          pollIntervalMs: 100,
          tags: [
            {
              name: 'speed',
              channel: 'metric',
              signal: { kind: 'sine', min: 10, max: 20, periodS: 5 },
            },
            {
              name: 'mode',
              channel: 'state',
              states: { '1': 'running' },
              signal: { kind: 'constant', value: 1 },
            },
            { name: 'good', channel: 'count.good', signal: { kind: 'counter', perMinute: 1200 } },
          ],
        },
      ],
    });
    agent = await startEdgeAgent(config, { password: PW, log: testLog });
    const headers = await signedIn(ingest.pool, 'admin');
    const press = await waitFor('press-9 running with speed and counted pieces', async () => {
      const response = await fetch(`${ingest.url}/api/machines`, { headers });
      const all = (await response.json()) as MachineSnapshot[];
      const m = all.find((x) => x.id === 'press-9');
      return m && m.state === 'running' && m.values.speed && m.counts.good > 0 ? m : undefined;
    });
    const speed = press.values.speed!.value as number;
    expect(speed).toBeGreaterThanOrEqual(10);
    expect(speed).toBeLessThanOrEqual(20);
    expect(press.gatewayId).toBe('gw-sp-rt');
    // Nothing of the doubtful kind on the way: no dead letter for the node.
    const { rows } = await ingest.pool.query<{ reason: string }>(
      "SELECT reason FROM dead_letters WHERE topic LIKE 'spBv1.0/%'",
    );
    expect(rows).toEqual([]);
  });
});
