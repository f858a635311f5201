import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createSession, createUser, SESSION_COOKIE } from '@takt/ingest';
import { launchBrowser, screenshot, TV } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

const root = join(import.meta.dirname, '../..');
const USER = 'wang.fang';

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/**
 * The demo plant with three shifts round the clock and no holidays, so that "today" has a
 * shift whatever hour and day the test runs (the demo plans nothing at night).
 */
function roundTheClockPlant(): string {
  const plant = parse(readFileSync(join(root, 'ingest/plant/demo-plant.yaml'), 'utf8')) as Record<
    string,
    unknown
  >;
  plant.shifts = [
    { id: 'night', name: 'Night', start: '00:00', end: '08:00' },
    { id: 'day', name: 'Day', start: '08:00', end: '16:00' },
    { id: 'evening', name: 'Evening', start: '16:00', end: '00:00' },
  ];
  plant.holidays = [];
  const file = join(mkdtempSync(join(tmpdir(), 'takt-pages-')), 'plant.yaml');
  writeFileSync(file, stringify(plant));
  return file;
}

beforeAll(async () => {
  stack = await startStack({ plantFile: roundTheClockPlant() });
  // Press 01 down from the start: downtime for the Pareto, an alert for the maintenance page.
  const press = stack.sim.machines.get('press-01')!;
  press.pin({ ...press.values(), state: 'down' });
  browser = await launchBrowser();
  // A maintenance technician, signed in: who acknowledges is who is signed in.
  const user = await createUser(stack.ingest.pool, USER, 'maintenance', 'pw-long-enough-1');
  const { token } = await createSession(stack.ingest.pool, user!.id, 3_600_000);
  context = await browser.newContext({
    viewport: TV,
    locale: 'en-US',
    timezoneId: 'UTC',
    acceptDownloads: true,
  });
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: stack.ingest.url }]);
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const orderOf = async (id: string) =>
  (await (await stack.api(`/api/work-orders/${id}`)).json()) as {
    operations: { id: string; status: string }[];
  };

const attr = (selector: string, name: string) => page.locator(selector).first().getAttribute(name);

describe('work-order page (issue 8)', () => {
  it('shows the Gantt of its operations, their counts and the scans, after scans', async () => {
    expect(
      (
        await stack.post('/api/work-orders', {
          id: 'WO-P1',
          product: 'bracket-b12',
          quantity: 40,
          customer: 'Initech',
          dueAt: new Date(Date.now() + 10 * 60_000).toISOString(),
          operations: [
            { id: 'OP10', machine: 'press-02' },
            { id: 'OP20', machine: 'cnc-02' },
          ],
        })
      ).status,
    ).toBe(201);
    const scan = (station: string, operation: string, action: string) =>
      stack.publishScan(station, {
        code: `WO-P1|${operation}`,
        workOrder: 'WO-P1',
        operation,
        action,
      });
    await scan('press-02', 'OP10', 'start');
    await waitFor('OP10 running', async () =>
      (await orderOf('WO-P1')).operations[0]!.status === 'running' ? true : undefined,
    );
    await scan('press-02', 'OP10', 'complete');
    await scan('cnc-02', 'OP20', 'start');
    await waitFor('OP20 running', async () =>
      (await orderOf('WO-P1')).operations[1]!.status === 'running' ? true : undefined,
    );

    // The order's scans and events, newest first (counts come per operation and hour).
    const history = (await (await stack.api('/api/work-orders/WO-P1/history')).json()) as {
      events: { kind: string; operation: string | null; detail: { action?: string } | null }[];
    };
    expect(history.events.map((e) => [e.kind, e.detail?.action ?? null, e.operation])).toEqual([
      ['scan', 'start', 'OP20'],
      ['scan', 'complete', 'OP10'],
      ['scan', 'start', 'OP10'],
      ['created', null, null],
    ]);
    expect((await stack.api('/api/work-orders/WO-NOPE/history')).status).toBe(404);

    await page.goto(`${stack.ingest.url}/work-orders/WO-P1`);
    const gantt = page.locator('[data-testid="work-order-gantt"]');
    await gantt.locator('canvas').waitFor({ timeout: 15_000 });
    expect(JSON.parse((await gantt.getAttribute('data-operations'))!)).toEqual(['OP10', 'OP20']);
    const bars = JSON.parse((await gantt.getAttribute('data-bars'))!) as [string, string][];
    expect(bars).toEqual(
      expect.arrayContaining([
        ['OP10', 'actual'],
        ['OP10', 'planned'],
        ['OP20', 'actual'],
        ['OP20', 'planned'],
      ]),
    );
    const ops = page.locator('[data-testid="work-order-operation"]');
    expect(await ops.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')))).toEqual(
      ['done', 'running'],
    );
    // Each operation's own progress beside the order's: its good pieces of the 40.
    const opFigures = await ops.evaluateAll((rows) =>
      rows.map((r) => [
        Number(r.querySelector('[data-good]')?.getAttribute('data-good')),
        Number(r.querySelector('[data-progress]')?.getAttribute('data-progress')),
      ]),
    );
    expect(opFigures).toHaveLength(2);
    for (const [good, progress] of opFigures) expect(progress).toBe(Math.min(1, good! / 40));
    const historyRows = page.locator('[data-testid="work-order-history"] tbody tr');
    const scans = await historyRows.evaluateAll((rows) =>
      rows.filter((r) => r.getAttribute('data-kind') === 'scan').map((r) => r.textContent),
    );
    expect(scans).toHaveLength(3);
    expect(scans.join('\n')).toContain('scan: complete');
    expect(await page.locator('[data-testid="work-order-summary"]').textContent()).toContain(
      'Initech',
    );
    await screenshot(page, 'page-work-order');
  });

  it('says plainly when the order does not exist', async () => {
    await page.goto(`${stack.ingest.url}/work-orders/WO-NOPE`);
    const message = page.locator('[data-testid="plain-message"]');
    await message.waitFor({ timeout: 15_000 });
    expect(await message.textContent()).toBe('There is no work order WO-NOPE.');
  });
});

describe('maintenance page (issue 8)', () => {
  it('acknowledges an alert with a comment, showing who and the comment', async () => {
    await page.goto(`${stack.ingest.url}/maintenance`);
    const row = page.locator(
      '[data-testid="maintenance-alert"][data-status="open"]:has-text("press-01")',
    );
    await row.first().waitFor({ timeout: 40_000 });
    await row.first().getByLabel('Comment').fill('hydraulic hose replaced');
    await row.first().getByRole('button', { name: 'Acknowledge' }).click();
    const acked = page.locator(
      '[data-testid="maintenance-alert"][data-status="acknowledged"]:has-text("press-01")',
    );
    await acked.first().waitFor({ timeout: 10_000 });
    expect(await acked.first().locator('[data-testid="maintenance-ack"]').textContent()).toBe(
      ` · ${USER} is on it: hydraulic hose replaced`,
    );
  });

  it('draws a sensor trend with the alert rule limits', async () => {
    await page.locator('[data-testid="trend-machine"]').selectOption('cnc-01');
    const trend = page.locator('[data-testid="sensor-trend"]');
    // The demo's rule cnc-01-hot: temperature above 58.
    await expect
      .poll(() => trend.getAttribute('data-tag'), { timeout: 15_000 })
      .toBe('temperature');
    expect(JSON.parse((await trend.getAttribute('data-limits'))!)).toEqual([['above', 58]]);
    await expect
      .poll(async () => Number(await trend.getAttribute('data-points')), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await trend.locator('canvas').count()).toBeGreaterThan(0);
    await screenshot(page, 'page-maintenance');
  });
});

describe('analytics page (issue 8)', () => {
  it('draws the OEE trend, the Pareto and the losses for the plant today', async () => {
    await page.goto(`${stack.ingest.url}/analytics`);
    const status = page.locator('[data-testid="analytics-status"]');
    await expect.poll(() => status.getAttribute('data-loading'), { timeout: 20_000 }).toBe('false');
    expect(await status.textContent()).toBe('');
    const trend = JSON.parse((await attr('[data-testid="oee-trend"]', 'data-points'))!) as [
      string,
      number | null,
    ][];
    expect(trend.length).toBeGreaterThan(0);
    const pareto = page.locator('[data-testid="downtime-pareto"]');
    const categories = JSON.parse((await pareto.getAttribute('data-categories'))!) as string[];
    expect(categories.length).toBeGreaterThan(0);
    const cumulative = JSON.parse((await pareto.getAttribute('data-cumulative'))!) as number[];
    expect(cumulative.at(-1)).toBe(100);
    for (const id of ['oee-trend', 'downtime-pareto', 'six-big-losses', 'tag-trend'])
      expect(await page.locator(`[data-testid="${id}"] canvas`).count(), id).toBeGreaterThan(0);
    // One row per shift × machine: four machines in today's shifts.
    const rows = await page.locator('[data-testid="shift-report"] tbody tr').count();
    expect(rows % 4).toBe(0);
    expect(rows).toBeGreaterThan(0);
    await screenshot(page, 'page-analytics');
  });

  it('exports the shift report as a CSV that matches the table', async () => {
    const table = page.locator('[data-testid="shift-report"]');
    const header = await table.locator('thead th').allTextContents();
    const cells = await table
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')),
      );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="export-csv"]').click(),
    ]);
    expect(download.suggestedFilename()).toBe('shift-report_plant_today.csv');
    const text = readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]!.split(',')).toEqual(header);
    expect(lines.slice(1).map((l) => l.split(','))).toEqual(cells);
    expect(header[0]).toBe('Date');
  });

  it('re-reads the tag trend for a narrower window on zoom', async () => {
    const trend = page.locator('[data-testid="tag-trend"]');
    const before = {
      from: Date.parse((await trend.getAttribute('data-from'))!),
      to: Date.parse((await trend.getAttribute('data-to'))!),
    };
    await trend.scrollIntoViewIfNeeded();
    const box = (await trend.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -400);
    await expect
      .poll(
        async () =>
          Date.parse((await trend.getAttribute('data-to'))!) -
          Date.parse((await trend.getAttribute('data-from'))!),
        { timeout: 10_000 },
      )
      .toBeLessThan(before.to - before.from);
  });

  it('narrows to one line, links to the orders and switches language', async () => {
    await page.locator('[data-testid="analytics-scope"]').selectOption('line:line-b');
    const status = page.locator('[data-testid="analytics-status"]');
    await expect
      .poll(
        async () =>
          (await page.locator('[data-testid="shift-report"] tbody tr').allTextContents()).join(),
        {
          timeout: 20_000,
        },
      )
      .not.toContain('press-01');
    expect(await status.getAttribute('data-loading')).toBe('false');
    await page.locator('[data-testid="order-link"]', { hasText: 'WO-P1' }).click();
    await page.locator('[data-testid="work-order-page"][data-order-id="WO-P1"]').waitFor();
    await page.goto(`${stack.ingest.url}/analytics?lang=zh-CN`);
    await expect.poll(() => page.locator('main h2').first().textContent()).toBe('分析');
    expect(await page.locator('[data-testid="shift-report"] thead th').first().textContent()).toBe(
      '日期',
    );
  });
});
