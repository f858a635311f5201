import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

type Order = {
  status: string;
  quantity: number;
  good: number;
  rejected: number;
  progress: number;
  eta: string | null;
  lateRisk: boolean;
  operations: { id: string; status: string; good: number; rejected: number }[];
  history: { kind: string; operation: string | null; detail: { reason?: string } | null }[];
};

const order = async (id: string) => {
  const response = await stack.api(`/api/work-orders/${id}`);
  return { status: response.status, body: (await response.json()) as Order };
};

async function importCsv(csv: string) {
  const response = await stack.api('/api/work-orders/import', {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: csv,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers checked field by field
  return { status: response.status, body: (await response.json()) as any };
}

/** Waits until ingest has stored these counter totals of the machine (its latest). */
const countersStored = (machine: string, totals: { good: number; reject: number }) =>
  waitFor(`${machine} at good ${totals.good}, reject ${totals.reject}`, async () => {
    const { rows } = await stack.ingest.pool.query<{ good: string; reject: string }>(
      'SELECT good_total AS good, reject_total AS reject FROM machines WHERE id = $1',
      [machine],
    );
    const row = rows[0];
    return row && Number(row.good) === totals.good && Number(row.reject) === totals.reject
      ? true
      : undefined;
  });

/** A work-order scan of a station, as the gateway publishes it. */
const scanAt = (station: string, body: { workOrder: string; operation: string; action: string }) =>
  stack.publishScan(station, { code: `${body.workOrder}|${body.operation}`, ...body });

const header = 'order_id,product,quantity,due_date,customer,priority,routing';

describe('work orders from an ERP export, driven by scans and machine counts', () => {
  it('refuses a bad CSV row by row and imports nothing', async () => {
    const bad = await importCsv(
      `${header}\nWO-900,bracket-b12,10,2030-01-01,,,OP10@press-01\nWO-901,no-such-part,-1,2030-01-01,,,OP10@press-01\n`,
    );
    expect(bad).toMatchObject({ status: 200, body: { committed: false } });
    expect(bad.body.rows[1]).toMatchObject({
      row: 3,
      action: 'refuse',
      errors: [{ column: 'quantity', code: 'import.cell.quantity' }],
    });
    const unknownProduct = await importCsv(
      `${header}\nWO-902,no-such-part,5,2030-01-01,,,OP10@press-01\n`,
    );
    expect(unknownProduct.body.rows[0].errors).toEqual([
      expect.objectContaining({
        column: 'product',
        message: 'Product "no-such-part" is not in the plant',
      }),
    ]);
    expect((await order('WO-900')).status).toBe(404);
  });

  it('counts a press operation from its start scan to its complete scan, exactly', async () => {
    const ok = await importCsv(
      `${header}\nWO-24117,bracket-b12,50,2030-01-01,"Acme, Ltd",1,OP10@press-01\nWO-24118,bracket-b12,20,2030-01-01,,,OP20@assembly-01\n`,
    );
    expect(ok).toMatchObject({ status: 200, body: { committed: true, counts: { create: 2 } } });
    expect(ok.body.rows.map((r: { id: string }) => r.id)).toEqual(['WO-24117', 'WO-24118']);

    const plc = stack.sim.machines.get('press-01')!;
    const base = plc.values();
    plc.pin(base); // hold the counters still while the order starts
    // Pieces the press made before the pin are counted by the agent's next poll, which can
    // come after the start scan (late under load) and would then be the order's: wait for
    // ingest to hold the pinned totals before scanning (issue 14).
    await countersStored('press-01', base);
    await scanAt('press-01', { workOrder: 'WO-24117', operation: 'OP10', action: 'start' });
    await waitFor('OP10 running', async () =>
      (await order('WO-24117')).body.operations[0]!.status === 'running' ? true : undefined,
    );

    plc.pin({ ...base, good: base.good + 30, reject: base.reject + 2 });
    const running = await waitFor('30 good pieces on the order', async () => {
      const { body } = await order('WO-24117');
      return body.good === 30 && body.rejected === 2 ? body : undefined;
    });
    expect(running).toMatchObject({
      status: 'in_progress',
      quantity: 50,
      progress: 0.6,
      lateRisk: false,
    });
    expect(running.eta).not.toBeNull();

    await scanAt('press-01', { workOrder: 'WO-24117', operation: 'OP10', action: 'complete' });
    const done = await waitFor('the order completed', async () => {
      const { body } = await order('WO-24117');
      return body.status === 'completed' ? body : undefined;
    });
    const after = { ...base, good: base.good + 45, reject: base.reject + 2 };
    plc.pin(after); // after completion: not this order's
    await countersStored('press-01', after); // the marker: those pieces have been applied
    expect((await order('WO-24117')).body).toMatchObject({
      good: 30,
      rejected: 2,
      status: 'completed',
    });
    expect(done.history.map((h) => h.kind)).toEqual(
      expect.arrayContaining(['created', 'scan', 'count']),
    );
    // The press's state timeline while the operation ran, from the same API.
    const oee = await stack.api(`/api/work-orders/WO-24117/oee`);
    const run = ((await oee.json()) as { operations: { runs: { from: string; to: string }[] }[] })
      .operations[0]!.runs[0]!;
    const timeline = await stack.api(
      `/api/machines/press-01/timeline?from=${run.from}&to=${run.to}`,
    );
    const { states } = (await timeline.json()) as {
      states: { from: string; to: string; state: string }[];
    };
    expect(states[0]!.from).toBe(run.from);
    expect(states.at(-1)!.to).toBe(run.to);
    expect(states.every((s) => s.state !== 'unknown')).toBe(true); // the press reported throughout

    await scanAt('press-01', { workOrder: 'WO-24117', operation: 'OP10', action: 'start' });
    const refused = await waitFor('the refusal in the history', async () => {
      const { body } = await order('WO-24117');
      return body.history.find((h) => h.kind === 'refused');
    });
    expect(refused.detail!.reason).toBe('operation OP10 of order WO-24117 is done: cannot start');
    plc.release();
  });

  it('takes a traveller and an action card scanned on the station scanner (a real pty)', async () => {
    await stack.scanner.write('WO-24118|OP20\r\n');
    await waitFor('OP20 running', async () =>
      (await order('WO-24118')).body.operations[0]!.status === 'running' ? true : undefined,
    );
    await stack.scanner.write('ACT:COMPLETE\r\n');
    const done = await waitFor('OP20 completed by the action card', async () => {
      const { body } = await order('WO-24118');
      return body.status === 'completed' ? body : undefined;
    });
    expect(done.operations[0]!.status).toBe('done');
  });
});
