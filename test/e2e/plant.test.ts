import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  LIVE_EVENTS,
  machineSnapshotSchema,
  type LiveSnapshot,
  type MachineSnapshot,
} from '@takt/protocol';
import mqtt from 'mqtt';
import { io as connectSocket } from 'socket.io-client';
import { requirePeer } from '@takt/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const api = async <T>(path: string) => {
  const response = await stack.api(path);
  return { status: response.status, body: (await response.json()) as T };
};

describe('sim -> edge agent -> broker -> ingest -> PostgreSQL -> API -> socket.io', () => {
  it('carries the exact values a PLC holds all the way to a screen', async () => {
    const plc = stack.sim.machines.get('press-01')!;
    const socket = connectSocket(stack.ingest.url, {
      transports: ['websocket'],
      auth: { token: stack.adminToken },
    });
    const snapshot = await new Promise<LiveSnapshot>((resolve) =>
      socket.once(LIVE_EVENTS.snapshot, resolve),
    );
    expect(snapshot.machines.map((m) => m.id).sort()).toEqual([
      'cnc-01',
      'cnc-02',
      'press-01',
      'press-02',
    ]);

    // Let the first totals set the counting baseline, then pin known values.
    await waitFor('a baseline count', async () => {
      const { rows } = await stack.ingest.pool.query(
        "SELECT 1 FROM counts WHERE machine_id = 'press-01'",
      );
      return rows.length > 0 || undefined;
    });
    const base = plc.values();
    const pinned = {
      good: base.good + 17,
      reject: base.reject + 2,
      state: 'down' as const,
      temperatureC: 87.6,
    };
    plc.pin(pinned);

    const update = await waitFor(
      'a socket.io update with the pinned values',
      () =>
        new Promise<MachineSnapshot | undefined>((resolve) => {
          socket.once(LIVE_EVENTS.update, (u: LiveSnapshot) => {
            const m = u.machines.find((x) => x.id === 'press-01');
            resolve(
              m && m.state === 'down' && m.values.temperature?.value === 87.6 ? m : undefined,
            );
          });
          setTimeout(() => resolve(undefined), 1000);
        }),
    );
    socket.close();
    expect(machineSnapshotSchema.parse(update)).toEqual(update);
    expect(update.values.temperature).toMatchObject({ value: 87.6, unit: 'degC', quality: 'good' });

    const { rows } = await stack.ingest.pool.query<{
      good_total: string;
      reject_total: string;
      state: string;
    }>("SELECT good_total, reject_total, state FROM machines WHERE id = 'press-01'");
    expect(rows[0]).toEqual({
      good_total: String(pinned.good),
      reject_total: String(pinned.reject),
      state: 'down',
    });
    const sums = await stack.ingest.pool.query<{ good: string; reject: string }>(
      `SELECT sum(good) AS good, sum(reject) AS reject FROM counts WHERE machine_id = 'press-01'`,
    );
    // Every piece between the baseline and the pinned totals is counted once.
    const first = await stack.ingest.pool.query<{ good_total: string; reject_total: string }>(
      "SELECT good_total, reject_total FROM counts WHERE machine_id = 'press-01' ORDER BY time LIMIT 1",
    );
    expect(Number(sums.rows[0]!.good)).toBe(pinned.good - Number(first.rows[0]!.good_total));
    expect(Number(sums.rows[0]!.reject)).toBe(pinned.reject - Number(first.rows[0]!.reject_total));
    plc.release();
  });

  it('GET /api/machines lists every machine with line, state and a recent ISO lastSeenAt', async () => {
    const { status, body } = await api<MachineSnapshot[]>('/api/machines');
    expect(status).toBe(200);
    expect(body.length).toBeGreaterThanOrEqual(3);
    for (const m of body) {
      expect(machineSnapshotSchema.parse(m)).toEqual(m);
      expect(m.line).toMatch(/^line-/);
      expect(Date.now() - Date.parse(m.lastSeenAt!)).toBeLessThan(10_000);
    }
    expect(new Set(body.map((m) => m.line))).toEqual(new Set(['line-a', 'line-b']));
  });

  it('serves a tag history and answers bad requests with a 4xx and a message', async () => {
    const series = await api<{ points: [number, number][] }>(
      '/api/machines/press-02/samples?tag=temperature&minutes=5',
    );
    expect(series.status).toBe(200);
    expect(series.body.points.length).toBeGreaterThan(0);
    const bad = await api<{ code: string; message: string }>(
      '/api/machines/press-02/samples?tag=temperature&minutes=0',
    );
    expect(bad).toEqual({
      status: 400,
      body: expect.objectContaining({
        code: 'INGEST_ERR_BAD_REQUEST',
        message: expect.stringMatching(/minutes: Too small/),
      }),
    });
    const missing = await api<{ code: string }>('/api/machines/nope/samples?tag=temperature');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('INGEST_ERR_NOT_FOUND');
  });

  it('puts a malformed payload from a plain MQTT client in dead_letters while machines keep updating', async () => {
    const topic = 'takt/v1/demo-plant/gw-demo-1/press-01/count';
    requirePeer('mosquitto-clients');
    await promisify(execFile)('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(stack.broker.port),
      '-i',
      'takt-gw-gw-demo-1/mosquitto-pub', // the broker binds client ids to the gateway's account
      '-u',
      'gw-demo-1',
      '-P',
      stack.credentials.gateway,
      '-q',
      '1',
      '-t',
      topic,
      '-m',
      '{"v":1,"seq":1,"ts":1,"good":"many","reject":0}',
    ]);
    const client = await mqtt.connectAsync(stack.mqttUrl, {
      clientId: 'takt-gw-gw-demo-1/test',
      username: 'gw-demo-1',
      password: stack.credentials.gateway,
    });
    await client.publishAsync(topic, 'not json at all', { qos: 1 });
    await client.endAsync();

    const dead = await waitFor('two dead letters', async () => {
      const { rows } = await stack.ingest.pool.query<{
        topic: string;
        reason: string;
        payload: Buffer;
      }>('SELECT topic, reason, payload FROM dead_letters ORDER BY id');
      return rows.length >= 2 ? rows : undefined;
    });
    expect(dead.map((d) => [d.topic, d.reason])).toEqual([
      [topic, 'count payload: good: Invalid input: expected number, received string'],
      [topic, expect.stringMatching(/^payload is not JSON/)],
    ]);
    expect(dead[1]!.payload.toString()).toBe('not json at all');

    const before = (await api<MachineSnapshot[]>('/api/machines')).body.find(
      (m) => m.id === 'cnc-02',
    )!.lastSeenAt!;
    await waitFor('cnc-02 to keep updating', async () => {
      const after = (await api<MachineSnapshot[]>('/api/machines')).body.find(
        (m) => m.id === 'cnc-02',
      )!.lastSeenAt!;
      return after > before || undefined;
    });
  });

  it('stores a redelivered message once (dedupe on gateway and seq)', async () => {
    const client = await mqtt.connectAsync(stack.mqttUrl, {
      clientId: 'takt-gw-gw-demo-1/test',
      username: 'gw-demo-1',
      password: stack.credentials.gateway,
    });
    const payload = JSON.stringify({
      v: 1,
      seq: 9_000_000,
      ts: Date.now(),
      readings: [{ tag: 'probe', value: 1, ts: Date.now(), quality: 'good' }],
    });
    for (let i = 0; i < 3; i++)
      await client.publishAsync('takt/v1/demo-plant/gw-demo-1/cnc-01/metrics', payload, { qos: 1 });
    await client.endAsync();
    const rows = await waitFor('the probe sample', async () => {
      const { rows } = await stack.ingest.pool.query("SELECT * FROM samples WHERE tag = 'probe'");
      return rows.length > 0 ? rows : undefined;
    });
    await new Promise((r) => setTimeout(r, 300));
    const again = await stack.ingest.pool.query("SELECT * FROM samples WHERE tag = 'probe'");
    expect(rows).toHaveLength(1);
    expect(again.rows).toHaveLength(1);
  });
});

describe('other links of the demo gateway', () => {
  it('brings the CNC machines in over OPC UA subscriptions with the values the server holds', async () => {
    stack.sim.machines
      .get('cnc-02')!
      .pin({ good: 4242, reject: 7, state: 'idle', temperatureC: 66.5 });
    const { rows } = await waitFor('cnc-02 over OPC UA', async () => {
      const result = await stack.ingest.pool.query<{
        state: string;
        good_total: string;
        value: number;
      }>(
        `SELECT m.state, m.good_total, v.value FROM machines m JOIN machine_values v ON v.machine_id = m.id AND v.tag = 'temperature'
          WHERE m.id = 'cnc-02'`,
      );
      const row = result.rows[0];
      return row && row.state === 'idle' && row.good_total === '4242' && row.value === 66.5
        ? result
        : undefined;
    });
    expect(rows[0]).toEqual({ state: 'idle', good_total: '4242', value: 66.5 });
    stack.sim.machines.get('cnc-02')!.release();
  });

  it('stores an operator scan from the virtual serial port with its parsed fields', async () => {
    await stack.scanner.write('WO-24117|OP20\r\n');
    const scan = await waitFor('the scan in PostgreSQL', async () => {
      const { rows } = await stack.ingest.pool.query(
        'SELECT station_id, gateway_id, code, work_order, operation, action FROM scans',
      );
      return rows[0];
    });
    expect(scan).toEqual({
      station_id: 'assembly-01',
      gateway_id: 'gw-demo-1',
      code: 'WO-24117|OP20',
      work_order: 'WO-24117',
      operation: 'OP20',
      action: 'start',
    });
  });
});
