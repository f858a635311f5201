import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Nonconformance } from '@takt/protocol/api';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, signedInContext } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

/*
 * Issue 23's nonconformance handling in Debian's chromium on the whole stack (the demo plant
 * with one inspection plan added): an NC opened on the order page from rejected pieces,
 * dispositioned as rework and its rework recorded on /quality/nc, and at the operator station
 * the inspection due on the running order entered as typed values (docs/decisions.md,
 * "Issue 23 — nonconformance and rework").
 */
const ORDER = 'WO-NC-1';
const STATION = 'assembly-01';
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/** The demo plant with an inspection plan: three bore diameters after each changeover. */
function plantWithInspection(): string {
  const demo = readFileSync(
    join(import.meta.dirname, '../../ingest/plant/demo-plant.yaml'),
    'utf8',
  );
  const file = join(mkdtempSync(join(tmpdir(), 'takt-nc-')), 'plant.yaml');
  const plan = `    - id: bore-diameter
      name: Bore diameter
      unit: mm
      nominal: 10
      lsl: 9.9
      usl: 10.1
      chart: xbar-r
      subgroupSize: 3
      product: bracket-b12
      operation: OP10
      frequency: { firstAfterChangeover: true }
`;
  // Added to the demo's own characteristics, or as the plant's first when it has none.
  const head = 'quality:\n  characteristics:\n';
  writeFileSync(
    file,
    demo.includes(head) ? demo.replace(head, `${head}${plan}`) : `${demo}\n${head}${plan}`,
  );
  return file;
}

const pieces = async () =>
  (
    await stack.ingest.pool.query<{ good: string; rejected: string }>(
      `SELECT good, rejected FROM work_order_operations WHERE work_order_id = $1 AND id = 'OP10'`,
      [ORDER],
    )
  ).rows.map((r) => ({ good: Number(r.good), rejected: Number(r.rejected) }))[0];

beforeAll(async () => {
  stack = await startStack({ plantFile: plantWithInspection() });
  browser = await launchBrowser();
  expect(
    (
      await stack.post('/api/work-orders', {
        id: ORDER,
        product: 'bracket-b12',
        quantity: 20,
        operations: [{ id: 'OP10', machine: STATION }],
      })
    ).status,
  ).toBe(201);
  const scan = (body: Record<string, unknown>) =>
    stack.publishScan(STATION, { workOrder: ORDER, operation: 'OP10', ...body } as never);
  await scan({ code: `${ORDER}|OP10`, action: 'start' });
  await waitFor('the order to run', async () => (await pieces()) !== undefined);
  await scan({ code: 'QTY:8', action: 'good', quantity: 8 });
  await scan({ code: 'REJ:3:burr', action: 'reject', quantity: 3, reason: 'burr' });
  await waitFor('pieces counted', async () => {
    const p = await pieces();
    return p?.good === 8 && p.rejected === 3;
  });
  context = await signedInContext(browser, stack, 'manager');
  page = await context.newPage();
}, 240_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
});

describe('nonconformance in the browser', () => {
  it('opens an NC on the order page, sends it to rework on the NC list and records the rework', async () => {
    await page.goto(`${stack.ingest.url}/work-orders/${ORDER}`);
    const panel = page.locator('[data-testid="nc-order"]');
    await panel.waitFor();
    // The inspection due on the running operation, as at the station, with its chart's link.
    const due = page.locator(
      '[data-testid="order-inspection"][data-characteristic="bore-diameter"]',
    );
    await due.waitFor();
    expect(await due.locator('a').getAttribute('href')).toBe('/spc/bore-diameter');
    expect(await due.textContent()).toContain('Bore diameter');
    const form = panel.locator('[data-testid="nc-open-form"]');
    await form.locator('input[name="quantity"]').fill('3');
    await form.locator('select[name="reason"]').selectOption('burr');
    await form.locator('button[name="open-nc"]').click();
    await panel.locator('[data-testid="nc-row"][data-status="open"]').waitFor();
    const [nc] = (await (
      await stack.api(`/api/nonconformances?workOrder=${ORDER}`)
    ).json()) as Nonconformance[];
    expect(nc).toMatchObject({ quantity: 3, reason: 'burr', source: 'reject', status: 'open' });

    await page.goto(`${stack.ingest.url}/quality/nc?lang=zh-CN`);
    const row = page.locator(`[data-testid="nc-row"][data-nc="${nc!.id}"]`);
    await row.locator('button[name="act"]').click();
    const dialog = page.locator('[data-testid="nc-dialog"]');
    await dialog.locator('input[value="rework"]').check();
    await dialog.locator('button[name="save"]').click();
    await page.locator('[data-testid="nc-dialog"]').waitFor({ state: 'detached' });
    // The list shows open ones by default: show every status.
    await page.locator('select[name="status"]').selectOption('all');
    await page
      .locator(`[data-testid="nc-row"][data-nc="${nc!.id}"][data-status="rework"]`)
      .waitFor();
    await screenshot(page, 'nc-list');

    await page.locator(`[data-testid="nc-row"][data-nc="${nc!.id}"] button[name="act"]`).click();
    await dialog.locator('input[name="good"]').fill('2');
    await dialog.locator('input[name="scrapped"]').fill('1');
    await dialog.locator('button[name="save"]').click();
    await page
      .locator(`[data-testid="nc-row"][data-nc="${nc!.id}"][data-status="closed"]`)
      .waitFor();
    // Two reworked pieces count good of the operation; the scrapped one stays rejected.
    expect(await pieces()).toEqual({ good: 10, rejected: 1 });
    const closed = (await (
      await stack.api(`/api/nonconformances/${nc!.id}`)
    ).json()) as Nonconformance;
    expect(closed).toMatchObject({ status: 'closed', reworked: 2, scrapped: 1 });
    expect(closed.changes.map((c) => c.change)).toEqual(['open', 'disposition', 'rework']);
  });

  it('enters the inspection due on the running order at the station', async () => {
    const operator = await signedInContext(browser, stack, 'operator', {
      width: 1280,
      height: 900,
    });
    const station = await operator.newPage();
    await station.goto(`${stack.ingest.url}/station/${STATION}`);
    const row = station.locator(
      '[data-testid="station-inspection"][data-characteristic="bore-diameter"]',
    );
    await row.waitFor();
    await row.locator('input[name="values"]').fill('10.01 9.98 x');
    await row.locator('button[type="submit"]').click();
    await row.locator('[role="status"][data-ok="false"]').waitFor();
    await row.locator('input[name="values"]').fill('10.01 9.98 10.02');
    await screenshot(station, 'station-inspection');
    await row.locator('button[type="submit"]').click();
    const stored = await waitFor('the subgroup', async () => {
      const { rows } = await stack.ingest.pool.query<{
        values: number[];
        work_order: string;
        operation: string;
        source: string;
      }>(
        `SELECT "values", work_order, operation, source FROM spc_subgroups WHERE characteristic = 'bore-diameter'`,
      );
      return rows[0];
    });
    expect(stored).toEqual({
      values: [10.01, 9.98, 10.02],
      work_order: ORDER,
      operation: 'OP10',
      source: 'station',
    });
    // Recorded after the start: nothing is due any more.
    await station
      .locator('[data-testid="station-inspections"][data-loaded="true"][data-due="0"]')
      .waitFor();
    await operator.close();
  });
});
