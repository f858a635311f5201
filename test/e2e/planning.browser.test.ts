import type { PlanLoad, PlanView } from '@takt/protocol/api';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kioskHash, launchBrowser, screenshot, signedInContext, TV } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

/*
 * Issue 21's Planning page and planning board in Debian's chromium at 1920 × 1080 on the
 * whole stack (the demo plant, Asia/Shanghai): orders created through the API appear as
 * Gantt bars where GET /api/plan puts them, the line load is drawn per line, the
 * delivery-date calculator answers with a date and the orders it would delay (drawn as ghost
 * bars), a new order reaches the open page through `plan:changed`, and the board rotates.
 */
const H = 3_600_000;
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const ORDERS = [
  { id: 'WO-PL1', product: 'bracket-b12', quantity: 3000, dueH: 10, priority: 0 },
  { id: 'WO-PL2', product: 'housing-h7', quantity: 800, dueH: 60, priority: 0 },
  { id: 'WO-PL3', product: 'bracket-b12', quantity: 1200, dueH: 90, priority: 2 },
];

beforeAll(async () => {
  stack = await startStack();
  for (const o of ORDERS) {
    const created = await stack.post('/api/work-orders', {
      id: o.id,
      product: o.product,
      quantity: o.quantity,
      priority: o.priority,
      dueAt: new Date(Date.now() + o.dueH * H).toISOString(),
      operations:
        o.product === 'bracket-b12'
          ? [
              { id: 'OP10', machine: 'press-01' },
              { id: 'OP20', machine: 'assembly-01' },
            ]
          : [
              { id: 'OP10', machine: 'cnc-01' },
              { id: 'OP20', machine: 'assembly-01' },
            ],
    });
    expect(created.status, o.id).toBe(201);
  }
  browser = await launchBrowser();
  context = await signedInContext(browser, stack, 'manager');
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const planOf = async () => (await (await stack.api('/api/plan')).json()) as PlanView;
const loadOf = async () => (await (await stack.api('/api/plan/load?days=14')).json()) as PlanLoad;
const json = async <T>(selector: string, attribute: string): Promise<T> =>
  JSON.parse((await page.locator(selector).getAttribute(attribute)) ?? 'null') as T;

/** Until the server's plan holds every order created above. */
async function planHoldsOrders(ids: readonly string[]) {
  return waitFor(
    'the plan holds the orders',
    async () => {
      const plan = await planOf();
      const planned = new Set(plan.operations.map((o) => o.order));
      return ids.every((id) => planned.has(id)) ? plan : undefined;
    },
    30_000,
    250,
  );
}

async function openPlanning(lang: 'en' | 'zh-CN') {
  await page.goto(`${stack.ingest.url}/planning?lang=${lang}`);
  await page
    .locator('[data-testid="planning-page"][data-loaded="true"]')
    .waitFor({ timeout: 30_000 });
}

describe('Planning page', () => {
  it('draws a bar per planned operation where the plan puts it, with due marks', async () => {
    const plan = await planHoldsOrders(ORDERS.map((o) => o.id));
    await openPlanning('en');
    const gantt = '[data-testid="plan-gantt"]';
    await waitFor('the created orders on the Gantt', async () => {
      const shown = await json<string[]>(gantt, 'data-orders');
      return ORDERS.every((o) => shown.includes(o.id)) ? true : undefined;
    });
    // One row per machine of the plan, one bar per planned operation on a shown row.
    const rows = await json<string[]>(gantt, 'data-rows');
    expect(rows).toEqual(expect.arrayContaining(plan.machines.map((m) => m.id)));
    const onRows = (await planOf()).operations.filter((o) => rows.includes(o.machine));
    expect(Number(await page.locator(gantt).getAttribute('data-bars'))).toBe(onRows.length);
    // Every created order has a due date: each is marked.
    expect(Number(await page.locator(gantt).getAttribute('data-dues'))).toBeGreaterThanOrEqual(
      ORDERS.length,
    );
    expect(await page.locator(`${gantt} canvas`).count()).toBeGreaterThan(0);
    // Unplannable orders as the API lists them (none is dropped silently).
    expect(await json<string[]>('[data-testid="plan-unplannable"]', 'data-orders')).toEqual(
      plan.unplannable.map((u) => u.order),
    );
    expect(await page.locator('[data-testid="nav-planning"]').textContent()).toBe('Planning');
    await screenshot(page, 'planning-gantt');
  }, 120_000);

  it('draws the line load per line per day as GET /api/plan/load gives it', async () => {
    const load = await loadOf();
    const panel = page.locator('[data-testid="plan-load-panel"]');
    await panel.scrollIntoViewIfNeeded();
    const chart = '[data-testid="plan-load"]';
    expect(Number(await page.locator(chart).getAttribute('data-days'))).toBe(14);
    expect(load.days).toHaveLength(14);
    const lines = await json<string[]>(chart, 'data-lines');
    expect(lines).toEqual(expect.arrayContaining(['line-a', 'line-b']));
    const overloaded = await json<{ line: string; days: string[] }[]>(chart, 'data-overloaded');
    expect(overloaded).toEqual(
      load.lines.map((l) => ({
        line: l.id,
        days: l.days.filter((d) => d.overloaded).map((d) => d.date),
      })),
    );
    // 3000 brackets at 1.8 s each on press-01 is 1.5 h, booked on line A from today.
    const lineA = load.lines.find((l) => l.id === 'line-a')!;
    expect(lineA.days.reduce((s, d) => s + d.bookedH, 0)).toBeGreaterThan(1);
    expect(await page.locator(`${chart} canvas`).count()).toBeGreaterThan(0);
    await screenshot(page, 'planning-load');
  }, 60_000);

  it('answers the calculator with a date and the orders it delays, drawn as ghost bars', async () => {
    await page.locator('[data-testid="plan-calculator"]').scrollIntoViewIfNeeded();
    const form = page.locator('[data-testid="plan-calculator"] form');
    await form.locator('select[name="product"]').selectOption('bracket-b12');
    await form.locator('input[name="quantity"]').fill('2000');
    await form.locator('input[name="priority"]').fill('9');
    await form.locator('button[type="submit"]').click();
    const answer = page.locator('[data-testid="plan-calc-answer"]');
    await answer.waitFor({ timeout: 30_000 });
    const promisedAt = (await answer.getAttribute('data-promised-at'))!;
    expect(Date.parse(promisedAt)).toBeGreaterThan(Date.now() - 60_000);
    // Shown on the plant's clock: a date and a time.
    expect(await page.locator('[data-testid="plan-calc-promise"]').textContent()).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d/,
    );
    expect(await page.locator('[data-testid="plan-calc-band"]').textContent()).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d – \d{4}-\d\d-\d\d \d\d:\d\d$/,
    );
    // At priority 9 it goes before the open orders on press-01: it delays at least one.
    const delays = JSON.parse((await answer.getAttribute('data-delays'))!) as {
      order: string;
      byMs: number;
    }[];
    expect(delays.length).toBeGreaterThan(0);
    expect(delays.every((d) => d.byMs > 0)).toBe(true);
    const rows = page.locator('[data-testid="plan-calc-delays"] tr');
    expect(await rows.count()).toBe(delays.length);
    expect(await rows.first().textContent()).toMatch(/later$/);
    // On the Gantt: its operations as ghosts, the delayed orders outlined.
    const gantt = '[data-testid="plan-gantt"]';
    expect(Number(await page.locator(gantt).getAttribute('data-ghosts'))).toBeGreaterThan(0);
    expect(await json<string[]>(gantt, 'data-delayed')).toEqual(
      [...new Set(delays.map((d) => d.order))].sort(),
    );
    // The calculator changed nothing: the plan has no new order.
    const plan = await planOf();
    expect(new Set(plan.orders.map((o) => o.order)).size).toBe(plan.orders.length);
    expect(plan.orders.map((o) => o.order)).toEqual(
      expect.arrayContaining(ORDERS.map((o) => o.id)),
    );
    await page.locator('[data-testid="plan-gantt-panel"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'planning-calculator');
  }, 90_000);

  it('says why in the screen language when the calculator refuses', async () => {
    const form = page.locator('[data-testid="plan-calculator"] form');
    await form.locator('input[name="quantity"]').fill('0');
    await form.locator('button[type="submit"]').click();
    const error = page.locator('[data-testid="plan-calc-error"]');
    await error.waitFor({ timeout: 15_000 });
    expect(await error.textContent()).toMatch(/^Refused: .*quantity/);
    expect(await page.locator('[data-testid="plan-calc-answer"]').count()).toBe(0);
  }, 60_000);

  it('shows a new order without a reload (plan:changed)', async () => {
    const created = await stack.post('/api/work-orders', {
      id: 'WO-PL4',
      product: 'housing-h7',
      quantity: 100,
      operations: [{ id: 'OP10', machine: 'cnc-02' }],
    });
    expect(created.status).toBe(201);
    await waitFor(
      'the new order on the open page',
      async () => {
        const shown = await json<string[]>('[data-testid="plan-gantt"]', 'data-orders');
        return shown.includes('WO-PL4') ? true : undefined;
      },
      30_000,
      250,
    );
  }, 60_000);

  it('reads in Chinese with lang=zh-CN', async () => {
    await openPlanning('zh-CN');
    await page.locator('[data-testid="plan-gantt"] canvas').first().waitFor();
    expect(await page.locator('.page--planning h2').textContent()).toBe('生产计划');
    expect(await page.locator('[data-testid="plan-calculator"] h3').textContent()).toBe(
      '交期模拟计算器',
    );
    expect(await page.locator('[data-testid="plan-load-panel"] h3').textContent()).toBe(
      '未来 14 天产线负荷',
    );
    await page.locator('[data-testid="plan-calculator"] form button[type="submit"]').click();
    await page.locator('[data-testid="plan-calc-answer"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="plan-calculator"] dt').first().textContent()).toBe(
      '承诺交期',
    );
    await page.evaluate(() =>
      (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0),
    );
    await screenshot(page, 'planning-zh-CN');
  }, 90_000);
});

describe('planning board', () => {
  it('rotates on a kiosk TV, read-only: the Gantt and the line load without scrolling', async () => {
    const kiosk = await browser.newContext({ viewport: TV, locale: 'en-US', timezoneId: 'UTC' });
    const tv = await kiosk.newPage();
    await tv.goto(
      `${stack.ingest.url}/board?show=planning,orders&every=60&lang=en${await kioskHash(stack)}`,
    );
    const board = tv.locator('[data-testid="planning-board"][data-loaded="true"]');
    await board.waitFor({ timeout: 30_000 });
    const orders = JSON.parse((await board.getAttribute('data-orders')) ?? '[]') as string[];
    expect(orders).toEqual(expect.arrayContaining(ORDERS.map((o) => o.id)));
    expect(await tv.locator('[data-testid="plan-board-gantt"] canvas').count()).toBe(1);
    expect(await tv.locator('[data-testid="plan-board-load"] canvas').count()).toBe(1);
    expect(await tv.locator('.rotation').textContent()).toContain('Planning');
    // No navigation and no calculator on a kiosk screen.
    expect(await tv.locator('[data-testid="nav"]').count()).toBe(0);
    expect(await tv.locator('[data-testid="plan-calculator"]').count()).toBe(0);
    expect(await board.evaluate((el) => el.scrollHeight <= el.clientHeight + 1)).toBe(true);
    await screenshot(tv, 'board-planning');
    await kiosk.close();
  }, 90_000);
});
