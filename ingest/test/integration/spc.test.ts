import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startBroker, type RunningBroker } from '@takt/broker';
import { encodePayload, topics } from '@takt/protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startIngest, type RunningIngest } from '../../src';
import { cutSubgroups } from '../../src/spc/gauge';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';
import { waitFor } from '../helpers/wait';

/*
 * Issue 23 (docs/decisions.md "Issue 23 — measurements, limits and spc alerts"): measurements
 * by the API and from a gauge tag published over MQTT by a client Takt did not write
 * (Debian's mosquitto_pub), control charts with frozen limits, and spc alerts through the real
 * alert engine.
 */
const log = pino({ level: 'silent' });
const MIN = 60_000;

let broker: RunningBroker;
let ingest: RunningIngest;
let admin: Record<string, string>;
let operator: Record<string, string>;
let maintenance: Record<string, string>;

beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  const plant = {
    site: { id: 's', name: 'Hall 1' },
    lines: [{ id: 'l', name: 'L', machines: [{ id: 'cnc-01', name: 'CNC 01' }] }],
    products: [
      {
        id: 'shaft-a',
        name: 'Shaft A',
        idealCycleMs: 30_000,
        routing: [{ id: '20', machine: 'cnc-01' }],
      },
    ],
    quality: {
      characteristics: [
        {
          id: 'bore',
          name: 'Bore diameter',
          unit: 'mm',
          nominal: 10,
          lsl: 9.9,
          usl: 10.1,
          chart: 'xbar-r',
          subgroupSize: 3,
          rules: ['we1', 'we4'],
          product: 'shaft-a',
          operation: '20',
        },
        {
          id: 'shaft-diameter',
          name: 'Shaft diameter',
          unit: 'mm',
          nominal: 25,
          lsl: 24.95,
          usl: 25.05,
          chart: 'xbar-r',
          subgroupSize: 5,
          gauge: { machine: 'cnc-01', tag: 'diameter' },
        },
        {
          id: 'torque',
          name: 'Torque',
          unit: 'Nm',
          lsl: 10,
          usl: 14,
          chart: 'i-mr',
          machine: 'cnc-01',
          frequency: { everyMinutes: 5 },
          overdueAlert: true,
        },
      ],
    },
    alerts: {
      rules: [
        { id: 'spc-bore', kind: 'spc', characteristics: ['bore'], rules: ['we1'] },
        { id: 'spc-torque', kind: 'spc', characteristics: ['torque'] },
      ],
    },
  };
  const plantFile = join(mkdtempSync(join(tmpdir(), 'takt-spc-plant-')), 'plant.yaml');
  writeFileSync(plantFile, stringify(plant));
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_spc'),
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'ingest-spc' },
    http: { host: '127.0.0.1', port: 0 },
    plantFile,
    batch: { maxItems: 100, maxDelayMs: 20 },
    alerts: { tickMs: 100, pollMs: 200 },
    log,
  });
  admin = await signedIn(ingest.pool, 'admin');
  operator = await signedIn(ingest.pool, 'operator');
  maintenance = await signedIn(ingest.pool, 'maintenance');
  await ingest.subscribed;
}, 60_000);

afterAll(async () => {
  await ingest?.stop();
  await broker?.stop();
});

async function call(path: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(`${ingest.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const count = async (characteristic: string) =>
  Number(
    (
      await ingest.pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM spc_subgroups WHERE characteristic = $1',
        [characteristic],
      )
    ).rows[0]!.n,
  );

describe('measurements and charts', () => {
  const t0 = Date.now() - 3 * 3_600_000;
  // 25 in-control subgroups of three, a little noise around 10.
  const noise = (i: number, j: number) => (((i * 7 + j * 3) % 5) - 2) * 0.004;

  it('lists the characteristics with id, name, lsl and usl', async () => {
    const { status, body } = await call('/api/spc', operator);
    expect(status).toBe(200);
    expect(body).toEqual([
      expect.objectContaining({
        id: 'bore',
        name: 'Bore diameter',
        lsl: 9.9,
        usl: 10.1,
        source: 'manual',
      }),
      expect.objectContaining({
        id: 'shaft-diameter',
        lsl: 24.95,
        usl: 25.05,
        source: 'gauge',
        machine: 'cnc-01',
      }),
      expect.objectContaining({ id: 'torque', chart: 'i-mr', subgroupSize: null }),
    ]);
  });

  it('refuses bad measurements with the reason, storing nothing', async () => {
    const bad = [
      [{ characteristic: 'nope', values: [1, 2, 3] }, 'unknown characteristic "nope"'],
      [
        { characteristic: 'bore', values: [10, 10.01] },
        'bore takes subgroups of 3 values; 2 given',
      ],
      [{ characteristic: 'bore', values: [10, 'x', 10] }, 'values.1'],
      [
        {
          characteristic: 'bore',
          values: [10, 10, 10],
          at: new Date(Date.now() + 5 * 3_600_000).toISOString(),
        },
        'beyond the time horizon',
      ],
      // Gauge subgroups come from the edge agent only.
      [{ characteristic: 'bore', values: [10, 10, 10], source: 'gauge' }, 'source'],
    ] as const;
    for (const [body, reason] of bad) {
      const answer = await call('/api/measurements', operator, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(String(answer.body.message)).toContain(reason);
    }
    const zh = await fetch(`${ingest.url}/api/measurements?lang=zh-CN`, {
      method: 'POST',
      headers: { ...operator, 'content-type': 'application/json' },
      body: JSON.stringify({ characteristic: 'bore', values: [1] }),
    });
    expect(((await zh.json()) as { message: string }).message).toContain('每个子组需要 3 个值');
    expect(await count('bore')).toBe(0);
    // Maintenance reads charts but does not record measurements.
    expect(
      (await call('/api/measurements', maintenance, { characteristic: 'bore', values: [1, 2, 3] }))
        .status,
    ).toBe(403);
  });

  it('charts the subgroups; a baseline needs 20; frozen limits flag a violation and open an spc alert', async () => {
    for (let i = 0; i < 10; i++) {
      const answer = await call('/api/measurements', operator, {
        characteristic: 'bore',
        values: [0, 1, 2].map((j) => 10 + noise(i, j)),
        at: new Date(t0 + i * MIN).toISOString(),
        workOrder: 'WO-1',
        operation: '20',
      });
      expect(answer.status).toBe(201);
    }
    const window = `from=${new Date(t0 - MIN).toISOString()}&to=${new Date(t0 + 60 * MIN).toISOString()}`;
    const few = await call('/api/spc/bore/baseline', admin, {
      from: new Date(t0 - MIN).toISOString(),
      to: new Date(t0 + 60 * MIN).toISOString(),
      reason: 'first run',
    });
    expect(few.status).toBe(400);
    expect(String(few.body.message)).toContain('at least 20 subgroups');
    expect(
      Number(few.body.messageParams && (few.body.messageParams as { count: number }).count),
    ).toBe(10);

    for (let i = 10; i < 25; i++)
      expect(
        (
          await call('/api/measurements', operator, {
            characteristic: 'bore',
            values: [0, 1, 2].map((j) => 10 + noise(i, j)),
            at: new Date(t0 + i * MIN).toISOString(),
          })
        ).status,
      ).toBe(201);
    const phaseI = await call(`/api/spc/bore?${window}`, operator);
    expect(phaseI.status).toBe(200);
    expect(phaseI.body).toMatchObject({ chart: 'xbar-r', baseline: null });
    expect((phaseI.body.points as unknown[]).length).toBe(25);
    expect(phaseI.body.baselineWarning).toContain('phase I');
    expect(phaseI.body.violations).toEqual([]);

    const frozen = await call('/api/spc/bore/baseline', admin, {
      from: new Date(t0 - MIN).toISOString(),
      to: new Date(t0 + 60 * MIN).toISOString(),
      reason: 'first run',
    });
    expect(frozen.status).toBe(201);
    expect(frozen.body).toMatchObject({ phase: 'II', subgroups: 25, reason: 'first run' });
    expect(frozen.body.center as number).toBeCloseTo(phaseI.body.center as number, 10);
    expect(
      (
        await call('/api/spc/bore/baseline', operator, {
          from: new Date(t0).toISOString(),
          to: new Date(t0 + MIN).toISOString(),
          reason: 'x',
        })
      ).status,
    ).toBe(403);

    // A subgroup far above the frozen UCL: rule we1, and the alert with the chart's link.
    const out = await call('/api/measurements', operator, {
      characteristic: 'bore',
      values: [10.08, 10.09, 10.085],
      at: new Date(t0 + 30 * MIN).toISOString(),
      source: 'station',
    });
    expect(out.status).toBe(201);
    const chart = await call(`/api/spc/bore?${window}`, operator);
    for (const key of ['center', 'ucl', 'lcl', 'rangeCenter', 'rangeUcl', 'cp', 'cpk', 'pp', 'ppk'])
      expect(typeof chart.body[key], key).toBe('number');
    expect(chart.body.baseline).toMatchObject({ phase: 'II', subgroups: 25 });
    expect(chart.body.baselineWarning).toBeNull();
    expect(chart.body.violations).toEqual([
      expect.objectContaining({
        rule: 'we1',
        at: new Date(t0 + 30 * MIN).toISOString(),
        index: 25,
      }),
    ]);
    const points = chart.body.points as { workOrder: string | null; source: string }[];
    expect(points[0]).toMatchObject({ workOrder: 'WO-1', source: 'api' });
    expect(points[25]).toMatchObject({ source: 'station' });
    expect((chart.body.histogram as { bins: unknown[] }).bins.length).toBeGreaterThan(0);

    const alerts = (await call('/api/alerts?status=open', admin)).body as unknown as {
      rule: string;
      subject: string;
      message: string;
    }[];
    const alert = alerts.find((a) => a.rule === 'spc-bore');
    expect(alert).toMatchObject({ subject: 'bore' });
    expect(alert!.message).toContain('/spc/bore');
    expect(alert!.message).toContain('a point beyond 3 sigma');
  });

  it('answers 404 for an unknown characteristic', async () => {
    expect((await call('/api/spc/nope', operator)).status).toBe(404);
  });
});

describe('a gauge', () => {
  const SITE = 's';
  const base = Date.now() - 3_600_000;
  // 23 readings: four subgroups of five, three waiting.
  const readings = Array.from({ length: 23 }, (_, i) => ({
    ts: base + i * 10_000,
    value: Math.round((25 + Math.sin(i) * 0.01) * 10_000) / 10_000,
  }));
  const message = (seq: number, r: { ts: number; value: number }) =>
    Buffer.from(
      encodePayload('metrics', {
        v: 1,
        seq,
        ts: r.ts,
        readings: [{ tag: 'diameter', value: r.value, ts: r.ts, quality: 'good' }],
      }),
    ).toString('utf8');

  /** mosquitto_pub, each line of stdin a message (QoS 1). */
  async function mosquittoPub(lines: string[]) {
    const child = promisify(execFile)('mosquitto_pub', [
      ...['-h', '127.0.0.1', '-p', String(broker.port), '-i', `gauge-${Math.random()}`],
      ...['-q', '1', '-l', '-t', topics.machine(SITE, 'gw-1', 'cnc-01', 'metrics')],
    ]);
    child.child.stdin!.end(lines.join('\n') + '\n');
    await child;
  }

  const stored = async () =>
    (
      await ingest.pool.query<{ at: Date; values: number[]; source: string; dedupe_key: string }>(
        `SELECT at, "values", source, dedupe_key FROM spc_subgroups
          WHERE characteristic = 'shaft-diameter' ORDER BY at`,
      )
    ).rows.map((r) => ({ at: r.at.getTime(), values: r.values.map(Number), source: r.source }));

  it('readings published shuffled become the subgroups of the readings in event-time order; a replay adds none', async () => {
    // A fixed shuffle: the late ones land inside subgroups cut already.
    const order = [
      5, 0, 7, 3, 1, 9, 2, 14, 4, 6, 8, 22, 10, 13, 11, 12, 19, 15, 17, 16, 18, 21, 20,
    ];
    const lines = order.map((i, k) => message(k + 1, readings[i]!));
    // In three publishes, so some subgroups are cut before the late readings arrive.
    await mosquittoPub(lines.slice(0, 8));
    await waitFor('first readings', async () => (await count('shaft-diameter')) >= 1);
    await mosquittoPub(lines.slice(8, 15));
    await mosquittoPub(lines.slice(15));
    const expected = cutSubgroups(
      readings.map((r) => ({ at: r.ts, value: r.value })),
      5,
    ).map((s) => ({ at: s.at, values: s.values, source: 'gauge' }));
    expect(expected).toHaveLength(4);
    await waitFor(
      'four subgroups',
      async () => JSON.stringify(await stored()) === JSON.stringify(expected),
    );

    // The same readings again with new sequence numbers (a gateway re-sending), then one new
    // reading after them: once the new one is kept, the re-sent ones were seen and added nothing.
    const next = { ts: base + 23 * 10_000, value: 25.001 };
    await mosquittoPub([...readings.map((r, i) => message(100 + i, r)), message(200, next)]);
    await waitFor('the reading after the re-sent ones', async () => {
      const { rows } = await ingest.pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM spc_gauge_readings WHERE characteristic = 'shaft-diameter'",
      );
      return Number(rows[0]!.n) === 24;
    });
    expect(await stored()).toEqual(expected);

    const chart = await call(
      `/api/spc/shaft-diameter?from=${new Date(base - MIN).toISOString()}&to=${new Date(base + 10 * MIN).toISOString()}`,
      operator,
    );
    expect(chart.status).toBe(200);
    expect((chart.body.points as { source: string }[]).map((p) => p.source)).toEqual([
      'gauge',
      'gauge',
      'gauge',
      'gauge',
    ]);
  });
});

describe('due inspections', () => {
  it('lists an inspection overdue on the running operation and opens the spc alert of overdueAlert', async () => {
    const started = Date.now() - 12 * MIN;
    await ingest.pool.query(
      "INSERT INTO work_orders (id, product_id, quantity) VALUES ('WO-OD', 'shaft-a', 100)",
    );
    await ingest.pool.query(
      `INSERT INTO work_order_operations (work_order_id, position, id, machine_id, status, started_at)
       VALUES ('WO-OD', 1, '20', 'cnc-01', 'running', $1)`,
      [new Date(started)],
    );
    const due = await call('/api/spc/due?machine=cnc-01', operator);
    expect(due.status).toBe(200);
    expect(due.body).toEqual([
      {
        characteristic: 'torque',
        workOrder: 'WO-OD',
        operation: '20',
        machine: 'cnc-01',
        dueAt: new Date(started + 5 * MIN).toISOString(),
        overdue: true,
        reason: 'minutes',
      },
    ]);
    const alert = await waitFor('the overdue alert', async () => {
      const open = (await call('/api/alerts?status=open', admin)).body as unknown as {
        rule: string;
        subject: string;
        message: string;
      }[];
      return open.find((a) => a.rule === 'spc-torque');
    });
    expect(alert).toMatchObject({ subject: 'torque' });
    expect(alert.message).toContain('inspection overdue');
    expect(alert.message).toContain('/spc/torque');

    // A measurement on the order makes it due again 5 minutes later, not overdue.
    const at = new Date(Date.now() - MIN).toISOString();
    expect(
      (
        await call('/api/measurements', operator, {
          characteristic: 'torque',
          values: [12],
          at,
          workOrder: 'WO-OD',
        })
      ).status,
    ).toBe(201);
    const after = await call('/api/spc/due?workOrder=WO-OD', operator);
    expect(after.body).toEqual([
      expect.objectContaining({
        characteristic: 'torque',
        overdue: false,
        dueAt: new Date(Date.parse(at) + 5 * MIN).toISOString(),
      }),
    ]);
  });
});
