import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startBroker, type RunningBroker } from '@takt/broker';
import { startEdgeAgent } from '@takt/edge-agent';
import { createSession, createUser, startIngest, type RunningIngest } from '@takt/ingest';
import { gatewayConfigSchema, statusPayloadSchema, topics } from '@takt/protocol';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/db';
import { testLog } from '../helpers/logger';
import { waitFor } from '../helpers/wait';

/**
 * Issue 4, clock sanity: a gateway two hours ahead is flagged (log line and /api/health);
 * since issue 15 its readings, past the 1 h horizon, are quarantined to dead letters.
 */
let broker: RunningBroker;
let ingest: RunningIngest;
const ingestLines: string[] = [];
const AHEAD_MS = 2 * 3600_000;

beforeAll(async () => {
  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [],
    allowAnonymous: true,
    log: testLog,
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      ingestLines.push(chunk.toString());
      done();
    },
  });
  ingest = await startIngest({
    databaseUrl: await createTestDatabase(),
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'ingest-clock' },
    http: { host: '127.0.0.1', port: 0 },
    log: pino({ level: 'warn' }, sink),
  });
  await ingest.subscribed;
}, 30_000);
afterAll(async () => {
  await ingest?.stop();
  await broker?.stop();
});

describe('clock sanity', () => {
  it('flags a gateway whose clock is far off, in its status, ingest log and health, and quarantines its data', async () => {
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const watcher = await mqtt.connectAsync(url);
    const offsets: number[] = [];
    watcher.on('message', (_topic, payload) => {
      const status = statusPayloadSchema.parse(JSON.parse(payload.toString()));
      if (status.clockOffsetMs !== undefined) offsets.push(status.clockOffsetMs);
    });
    await watcher.subscribeAsync(topics.status('clk', 'gw-clock'), { qos: 1 });
    const config = gatewayConfigSchema.parse({
      gateway: { id: 'gw-clock', site: 'clk' },
      mqtt: { url },
      stateDir: mkdtempSync(join(tmpdir(), 'takt-clock-')),
      devices: [
        {
          id: 'sim',
          driver: 'simulated',
          machine: 'clk-m1',
          pollIntervalMs: 100,
          tags: [{ name: 'v', channel: 'metric', signal: { kind: 'constant', value: 7 } }],
        },
      ],
    });
    const edge = await startEdgeAgent(config, { log: testLog, now: () => Date.now() + AHEAD_MS });
    try {
      await waitFor('ingest to log the clock', () =>
        ingestLines.some((l) => l.includes('gateway clock is off')) ? true : undefined,
      );
      const line = JSON.parse(ingestLines.find((l) => l.includes('gateway clock is off'))!) as {
        gatewayId: string;
        offsetMs: number;
      };
      expect(line.gatewayId).toBe('gw-clock');
      expect(Math.abs(line.offsetMs - AHEAD_MS)).toBeLessThan(10_000);
      // Two hours ahead is past the 1 h horizon: the readings go to dead letters, with the
      // reason, and never reach the samples (docs/production-model.md "Timestamp horizon").
      const reason = await waitFor('the readings to be quarantined', async () => {
        const { rows } = await ingest.pool.query<{ reason: string }>(
          "SELECT reason FROM dead_letters WHERE gateway_id = 'gw-clock' AND topic LIKE '%/clk-m1/metrics' LIMIT 1",
        );
        return rows[0]?.reason;
      });
      expect(reason).toMatch(/ahead of its receive time/);
      const stored = await ingest.pool.query("SELECT 1 FROM samples WHERE machine_id = 'clk-m1'");
      expect(stored.rows).toEqual([]);
      // The per-gateway list is for the people who fix gateways (docs/decisions.md).
      const admin = await createUser(ingest.pool, 'clock-admin', 'admin', 'x');
      const { token } = await createSession(ingest.pool, admin!.id, 3_600_000);
      const healthAnswer = await fetch(`${ingest.url}/api/health`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const health = (await healthAnswer.json()) as {
        gateways: { id: string; clockSkewed: boolean; clockOffsetMs: number }[];
      };
      const gateway = health.gateways.find((g) => g.id === 'gw-clock')!;
      expect(gateway.clockSkewed).toBe(true);
      expect(Math.abs(gateway.clockOffsetMs - AHEAD_MS)).toBeLessThan(10_000);
      // The gateway's own status says so once an ack told it ingest's time (status every 10 s).
      await waitFor(
        'the offset in the status',
        () => (offsets.length > 0 ? true : undefined),
        15_000,
      );
      expect(Math.abs(offsets[offsets.length - 1]! - AHEAD_MS)).toBeLessThan(10_000);
    } finally {
      await edge.stop();
      await watcher.endAsync();
    }
  }, 40_000);
});
