import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

let stack: Stack;
beforeAll(async () => {
  // The demo plant without its shifts: every hour is planned time, so the downtime Pareto
  // does not depend on the hour the test runs at (the demo plant has no night shift).
  const demo = parse(
    readFileSync(join(import.meta.dirname, '../../ingest/plant/demo-plant.yaml'), 'utf8'),
  ) as Record<string, unknown>;
  delete demo.shifts;
  const plantFile = join(mkdtempSync(join(tmpdir(), 'takt-reasons-')), 'plant.yaml');
  writeFileSync(plantFile, stringify(demo));
  stack = await startStack({ plantFile });
});
afterAll(() => stack?.stop());

/** POSTs as JSON; the answer's status and body. */
const answer = async (path: string, body: unknown) => {
  const response = await stack.post(path, body);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const get = async (path: string) =>
  (await (await stack.api(path)).json()) as Record<string, unknown>;

const untilPressIs = (state: string) =>
  waitFor(`press-01 ${state}`, async () => {
    const machines = (await get('/api/machines')) as unknown as { id: string; state: string }[];
    return machines.find((m) => m.id === 'press-01')?.state === state || undefined;
  });

/** Stop press-01 for a moment through its PLC (no reason code: the PLC does not say why). */
async function stopPress(): Promise<void> {
  const plc = stack.sim.machines.get('press-01')!;
  const now = plc.values();
  plc.pin({ ...now, state: 'down' });
  await untilPressIs('down');
  await new Promise((r) => setTimeout(r, 600));
  plc.pin({ ...now, state: 'running' });
  await untilPressIs('running');
}

describe('reasons for stops, given afterwards', () => {
  it('by the API: the latest unexplained stop gets it once, and the downtime Pareto shows it', async () => {
    // Stops this short are microstops in the demo plant (2 min): count them as downtime here.
    await stack.ingest.pool.query(
      "UPDATE machines SET microstop_threshold_ms = 100 WHERE id = 'press-01'",
    );
    await stopPress();
    const given = await answer('/api/machines/press-01/stop-reason', { reason: 'die-change' });
    expect(given).toMatchObject({ status: 200, body: { ok: true, reason: 'die-change' } });
    const again = await answer('/api/machines/press-01/stop-reason', {
      reason: 'other',
      at: given.body.stopStart,
    });
    expect(again).toMatchObject({
      status: 409,
      body: { message: 'that stop already has the reason "die-change"' },
    });
    const pareto = await get(
      `/api/downtime?machine=press-01&from=${String(given.body.stopStart)}&to=${new Date(Date.now() + 1000).toISOString()}`,
    );
    expect(pareto.reasons).toEqual([
      expect.objectContaining({ reason: 'die-change', state: 'down', stops: 1 }),
    ]);
    expect((await answer('/api/machines/nope/stop-reason', { reason: 'x' })).status).toBe(404);
    expect((await answer('/api/machines/press-01/stop-reason', { reason: '' })).status).toBe(400);
  });

  it('by a reason card scanned at the machine', async () => {
    await stopPress();
    await stack.publishScan('press-01', { code: 'R12', action: 'reason', reason: '12' });
    const row = await waitFor('the scanned reason stored', async () => {
      const { rows } = await stack.ingest.pool.query<{ reason: string; source: string }>(
        "SELECT reason, source FROM stop_reasons WHERE machine_id = 'press-01' AND source = 'scan'",
      );
      return rows[0];
    });
    expect(row).toEqual({ reason: '12', source: 'scan' });
  });
});
