import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hashPassword, startBroker, type RunningBroker } from '@takt/broker';
import { requirePeer } from '@takt/sim';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

/*
 * docs/wire.md's worked example, run exactly as written (only the broker's port is this
 * test's): Debian's mosquitto_sub waits for the acknowledgement, mosquitto_pub sends one
 * reading with the gateway's account and client id, and the reading shows in /api/machines.
 */
const wire = readFileSync(join(import.meta.dirname, '../../../docs/wire.md'), 'utf8');
const PW = 'wire-example-pw';
let broker: RunningBroker;
let ingest: RunningIngest;

/** The fenced block after `<!-- wire-example:<name> -->`, with the test broker's port. */
function example(name: string): string {
  const match = new RegExp(`<!-- wire-example:${name} -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(
    wire,
  );
  if (!match) throw new Error(`docs/wire.md has no wire-example:${name} block`);
  expect(match[1]).toContain('-p 1883');
  return match[1]!.replaceAll('-p 1883', `-p ${broker.port}`);
}

const env = () => ({ ...process.env, TAKT_MQTT_PASSWORD: PW });

beforeAll(async () => {
  requirePeer('mosquitto-clients');
  const passwordHash = await hashPassword(PW);
  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [
      {
        username: 'gw-hall2',
        passwordHash,
        role: 'gateway',
        site: 'plant-1',
        gatewayId: 'gw-hall2',
      },
      { username: 'ingest', passwordHash, role: 'ingest' },
    ],
    log: pino({ level: 'silent' }),
  });
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_wire_example'),
    mqtt: {
      url: `mqtt://127.0.0.1:${broker.port}`,
      username: 'ingest',
      password: PW,
      clientId: 'ingest-wire-example',
    },
    http: { host: '127.0.0.1', port: 0 },
    batch: { maxItems: 500, maxDelayMs: 20 },
    log: pino({ level: 'silent' }),
  });
  await ingest.subscribed;
});
afterAll(async () => {
  await ingest?.stop();
  await broker?.stop();
});

describe('docs/wire.md worked example', () => {
  it('stores the reading mosquitto_pub sends and acknowledges its seq', async () => {
    const subscribed = new Promise<void>((resolve) =>
      broker.aedes.on('subscribe', (subs, client) => {
        if (client?.id === 'takt-gw-gw-hall2/ack') resolve();
      }),
    );
    const sub = spawn('bash', ['-c', example('ack')], { env: env() });
    let ack = '';
    let errors = '';
    sub.stdout.on('data', (c: Buffer) => (ack += c.toString()));
    sub.stderr.on('data', (c: Buffer) => (errors += c.toString()));
    const exited = new Promise<number | null>((resolve) => sub.once('exit', resolve));
    try {
      await subscribed; // the broker has the subscription: the ack cannot be missed
      await promisify(execFile)('bash', ['-c', example('publish')], { env: env() });
      expect(await exited).toBe(0);
    } finally {
      sub.kill();
    }
    expect(errors).toBe('');
    const body = JSON.parse(ack) as { v: number; ranges: number[][] };
    expect(body.v).toBe(1);
    expect(body.ranges).toEqual([[1, 1]]);

    const response = await fetch(`${ingest.url}/api/machines`, {
      headers: await signedIn(ingest.pool, 'admin'),
    });
    const machines = (await response.json()) as {
      id: string;
      values: Record<string, { value: unknown }>;
    }[];
    const press = machines.find((m) => m.id === 'press-01');
    expect(press?.values.temp?.value).toBe(21.5);
  });

  it('is refused over MQTT 5, as the page says', async () => {
    const v5 = example('publish').replace('-V mqttv311', '-V mqttv5');
    const refused = await promisify(execFile)('bash', ['-c', v5], { env: env() }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).not.toBe(0);
    // The same command with -V mqttv311 stores a reading (above): the refusal is the version.
    expect(refused?.stderr).toMatch(/Unsupported Protocol Version/i);
  });
});
