import { startBroker, type RunningBroker } from '@takt/broker';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type RunningIngest } from '../../src';
import { writeBatch } from '../../src/pipeline/writer';
import { signedIn } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

const log = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 9, 1); // 1 Oct 2026
const MIN = 60_000;

let broker: RunningBroker;
let ingest: RunningIngest;

let auth: { authorization: string };

/** Two machines: m1 has `temp` every 10 s for 3 days and a text tag; m2 has `speed`. */
beforeAll(async () => {
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_history'),
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'ingest-history' },
    http: { host: '127.0.0.1', port: 0 },
    log,
  });
  auth = await signedIn(ingest.pool, 'maintenance');
  let seq = 0;
  const messages = [];
  for (let t = T0; t < T0 + 3 * 24 * 60 * MIN; t += 10 * MIN) {
    const readings = Array.from({ length: 60 }, (_, i) => ({
      tag: 'temp',
      ts: t + i * 10_000,
      value: (t - T0) / MIN + i, // minutes since T0, plus the step
      quality: 'good' as const,
    }));
    messages.push({
      site: 's1',
      gatewayId: 'gw1',
      machineId: 'm1',
      kind: 'metrics' as const,
      payload: { v: 1 as const, seq: ++seq, ts: t, readings },
    });
  }
  messages.push({
    site: 's1',
    gatewayId: 'gw1',
    machineId: 'm1',
    kind: 'metrics' as const,
    payload: {
      v: 1 as const,
      seq: ++seq,
      ts: T0,
      readings: [{ tag: 'mode', ts: T0, value: 'auto, "fast"', quality: 'good' as const }],
    },
  });
  await writeBatch(
    ingest.pool,
    messages.map((message) => ({ kind: 'message' as const, message })),
  );
});
afterAll(async () => {
  await ingest.stop();
  await broker.stop();
});

const get = async (query: string, path = '/api/history') => {
  const response = await fetch(`${ingest.url}${path}?${query}`, { headers: auth });
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    type,
    // The answers' shapes are what these tests check; any keeps them readable.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    body: (type.includes('json') ? await response.json() : await response.text()) as any,
  };
};
const iso = (ms: number) => new Date(ms).toISOString();

describe('GET /api/history', () => {
  it('reads the hourly rollup for three days at chart width 100', async () => {
    const { status, body } = await get(
      `machine=m1&tag=temp&from=${iso(T0)}&to=${iso(T0 + 3 * 24 * 60 * MIN)}&points=100`,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ bucket: '1h', source: 'samples_1h', bucketSeconds: 3600 });
    expect(body.columns).toEqual(['t', 'min', 'max', 'avg', 'last', 'count']);
    const points = body.series[0].points;
    expect(points).toHaveLength(72);
    // First hour: six 10-minute messages of 60 readings; values 0..59, 10..69, ..., 50..109.
    expect(points[0]).toEqual([T0, 0, 109, 54.5, 109, 360]);
  });

  it('computes sub-minute buckets from raw samples for a short window', async () => {
    const { body } = await get(
      `machine=m1&tag=temp&from=${iso(T0)}&to=${iso(T0 + 2 * MIN)}&bucket=30s`,
    );
    expect(body).toMatchObject({ bucket: '30s', source: 'samples' });
    expect(body.series[0].points).toEqual([
      [T0, 0, 2, 1, 2, 3],
      [T0 + 30_000, 3, 5, 4, 5, 3],
      [T0 + 60_000, 6, 8, 7, 8, 3],
      [T0 + 90_000, 9, 11, 10, 11, 3],
    ]);
  });

  it('gives the same buckets from the minute rollup as from raw samples', async () => {
    const window = `machine=m1&tag=temp&from=${iso(T0 + 5 * MIN)}&to=${iso(T0 + 65 * MIN)}`;
    const rollup = await get(`${window}&bucket=5m`);
    expect(rollup.body.source).toBe('samples_1m');
    const fromRaw = await get(`${window}&bucket=150s`);
    expect(fromRaw.body.source).toBe('samples');
    // Two 150 s buckets from raw samples make one 5 m bucket from the rollup.
    const raw = fromRaw.body.series[0].points as number[][];
    const merged = rollup.body.series[0].points.map((_: unknown, i: number) => {
      const [a, b] = [raw[2 * i]!, raw[2 * i + 1]!];
      const count = a[5]! + b[5]!;
      return [
        a[0],
        Math.min(a[1]!, b[1]!),
        Math.max(a[2]!, b[2]!),
        (a[3]! * a[5]! + b[3]! * b[5]!) / count,
        b[4],
        count,
      ];
    });
    expect(rollup.body.series[0].points).toHaveLength(12);
    expect(rollup.body.series[0].points).toEqual(merged);
  });

  it('serves raw rows, text values included, and CSV of the same window', async () => {
    const q = `machine=m1&tag=temp,mode&from=${iso(T0)}&to=${iso(T0 + 30_000)}&bucket=raw`;
    const { body } = await get(q);
    expect(body.columns).toEqual(['t', 'value', 'quality']);
    expect(body.series).toEqual([
      {
        tag: 'temp',
        points: [
          [T0, 0, 0],
          [T0 + 10_000, 1, 0],
          [T0 + 20_000, 2, 0],
        ],
      },
      { tag: 'mode', points: [[T0, 'auto, "fast"', 0]] },
    ]);
    const csv = await get(q, '/api/history.csv');
    expect(csv.type).toMatch(/^text\/csv/);
    expect(csv.body).toBe(
      [
        'time,machine,tag,value,quality',
        '2026-10-01T00:00:00.000Z,m1,temp,0,0',
        '2026-10-01T00:00:10.000Z,m1,temp,1,0',
        '2026-10-01T00:00:20.000Z,m1,temp,2,0',
        '2026-10-01T00:00:00.000Z,m1,mode,"auto, ""fast""",0',
        '',
      ].join('\r\n'), // RFC 4180 line ends (ingest/src/http/csv.ts)
    );
    const same = await get(`${q}&format=csv`);
    expect(same.body).toBe(csv.body);
  });

  it('takes every numeric tag of the machine when no tag is named', async () => {
    const { body } = await get(`machine=m1&from=${iso(T0)}&to=${iso(T0 + 60 * MIN)}`);
    expect(body.series.map((s: { tag: string }) => s.tag)).toEqual(['temp']);
  });

  it.each([
    ['inverted window', `machine=m1&tag=temp&from=${iso(T0 + MIN)}&to=${iso(T0)}`, /before to/],
    [
      'enormous window',
      `machine=m1&tag=temp&from=1990-01-01T00:00:00Z&to=${iso(T0)}`,
      /longer than 3660 days/,
    ],
    ['unknown machine', `machine=nope&tag=temp&from=${iso(T0)}`, /unknown machine "nope"/],
    ['unknown tag', `machine=m1&tag=temp,pressure&from=${iso(T0)}`, /no tag "pressure"/],
    ['bad bucket', `machine=m1&tag=temp&from=${iso(T0)}&bucket=fast`, /not raw, auto or a width/],
    [
      'too many buckets',
      `machine=m1&tag=temp&from=${iso(T0)}&to=${iso(T0 + 30 * 24 * 60 * MIN)}&bucket=1m`,
      /43200 buckets/,
    ],
    [
      'raw over a week',
      `machine=m1&tag=temp&from=${iso(T0)}&to=${iso(T0 + 7 * 24 * 60 * MIN)}&bucket=raw`,
      /up to 24 h/,
    ],
    ['missing from', 'machine=m1&tag=temp', /from/],
    ['bad time', 'machine=m1&tag=temp&from=yesterday', /from/],
    ['unknown parameter', `machine=m1&tag=temp&from=${iso(T0)}&limit=5`, /limit/],
  ])('answers 400 with a reason for %s', async (_name, query, reason) => {
    const { status, body } = await get(query);
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'INGEST_ERR_BAD_REQUEST', message: reason });
  });
});

/** Readings of one text tag written as ingest writes them (each its own message). */
async function writeTexts(
  machine: string,
  tag: string,
  readings: [number, string, 'good' | 'bad'][],
) {
  await writeBatch(
    ingest.pool,
    readings.map(([ts, value, quality], i) => ({
      kind: 'message' as const,
      message: {
        site: 's1',
        gatewayId: 'gw1', // m1's gateway: another one's messages for m1 would be dead letters (issue 18)
        machineId: machine,
        kind: 'metrics' as const,
        payload: { v: 1 as const, seq: ts + i, ts, readings: [{ tag, ts, value, quality }] },
      },
    })),
  );
}

describe('string tags (docs/openapi.yaml History)', () => {
  it('buckets a string tag as its last good text and count, min / max / avg null', async () => {
    await writeTexts('m1', 'mode', [
      [T0 + 20 * MIN, 'manual', 'good'],
      [T0 + 30 * MIN, 'garbled', 'bad'],
    ]);
    const q = `machine=m1&tag=mode&from=${iso(T0)}&to=${iso(T0 + 3 * 24 * 60 * MIN)}&points=100`;
    const { body } = await get(q);
    expect(body).toMatchObject({ bucket: '1h', source: 'samples_1h' });
    expect(body.series).toEqual([{ tag: 'mode', points: [[T0, null, null, null, 'manual', 2]] }]);
    const csv = await get(q, '/api/history.csv');
    expect(csv.body).toContain('2026-10-01T00:00:00.000Z,m1,mode,,,,manual,2');
  });

  it("serves a string tag's last text per bucket on /api/machines/:id/samples", async () => {
    const t = Math.floor(Date.now() / 1000) * 1000 - 3 * MIN;
    await writeTexts('m3', 'recipe', [
      [t, 'R-1', 'good'],
      [t + 200, 'R-2', 'good'],
      [t + MIN, 'R-3', 'good'],
    ]);
    const { status, body } = await get('tag=recipe&minutes=15', '/api/machines/m3/samples');
    expect(status).toBe(200);
    expect(body.points).toEqual([
      [t, 'R-2'],
      [t + MIN, 'R-3'],
    ]);
  });
});

describe('writer metrics', () => {
  it('counts the batches ingest wrote, on /api/ingest/metrics and /api/health', async () => {
    const metrics = await get('', '/api/ingest/metrics');
    expect(metrics.body).toMatchObject({
      engine: 'postgres',
      writer: { queueDepth: 0, failedBatchesTotal: 0 },
    });
    const health = await get('', '/api/health');
    expect(health.body).toMatchObject({
      status: 'ok',
      storage: 'postgres',
      writer: metrics.body.writer,
    });
  });
});
