import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, createUser, SESSION_COOKIE } from '@takt/ingest';
import { launchBrowser, screenshot, TV } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

/*
 * Issue 20: a manager edits an order on its page, holds it, and is refused a quantity below
 * what is made in the screen's language; every change is listed with who, before and after
 * (docs/decisions.md, "Issue 20 — order changes and their trail").
 */
const USER = 'li.planner';
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  const user = await createUser(stack.ingest.pool, USER, 'manager', 'pw-long-enough-1');
  const { token } = await createSession(stack.ingest.pool, user!.id, 3_600_000);
  context = await browser.newContext({ viewport: TV, locale: 'en-US', timezoneId: 'UTC' });
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: stack.ingest.url }]);
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const orderOf = async (id: string) =>
  (await (await stack.api(`/api/work-orders/${id}`)).json()) as {
    quantity: number;
    status: string;
    customer: string | null;
  };

describe('order changes on the order page', () => {
  it('edits the quantity and customer, holds the order, and lists each change', async () => {
    const created = await stack.post('/api/work-orders', {
      id: 'WO-E1',
      product: 'bracket-b12',
      quantity: 40,
      operations: [{ id: 'OP10', machine: 'press-02' }],
    });
    expect(created.status).toBe(201);
    await page.goto(`${stack.ingest.url}/work-orders/WO-E1`);
    const form = page.locator('[data-testid="work-order-change-form"]');
    await form.waitFor({ timeout: 15_000 });
    await form.locator('input[name="quantity"]').fill('55');
    await form.locator('input[name="customer"]').fill('Initech');
    await form.locator('button[type="submit"]').click();
    const notice = page.locator('[data-testid="work-order-change-notice"]');
    await waitFor('saved', async () =>
      (await notice.textContent().catch(() => null)) === 'Saved.' ? true : undefined,
    );
    expect(await orderOf('WO-E1')).toMatchObject({ quantity: 55, customer: 'Initech' });
    const changes = page.locator('[data-testid="work-order-change-history"] tbody tr');
    await changes.first().waitFor({ timeout: 15_000 });
    const row = await changes.first().textContent();
    expect(row).toContain(USER);
    expect(row).toContain('quantity: 40 → 55');
    expect(row).toContain('customer: — → Initech');

    await page.locator('input[name="reason"]').fill('waiting for material');
    await page.locator('button[name="hold"]').click();
    await page.locator('button[name="resume"]').waitFor({ timeout: 15_000 });
    expect((await orderOf('WO-E1')).status).toBe('held');
    await waitFor('two changes listed', async () =>
      (await changes.count()) === 2 ? true : undefined,
    );
    expect(await changes.first().getAttribute('data-change')).toBe('hold');
    expect(await changes.first().textContent()).toContain('waiting for material');
    expect(
      await page.locator('[data-testid="work-order-summary"]').getAttribute('data-status'),
    ).toBe('held');
    await screenshot(page, 'order-changes');
  });

  it('shows a refusal in the screen`s language', async () => {
    const created = await stack.post('/api/work-orders', {
      id: 'WO-E2',
      product: 'bracket-b12',
      quantity: 10,
      operations: [{ id: 'OP10', machine: 'press-02' }],
    });
    expect(created.status).toBe(201);
    await page.goto(`${stack.ingest.url}/work-orders/WO-E2?lang=zh-CN`);
    const split = page.locator('input[name="splitQuantity"]');
    await split.waitFor({ timeout: 15_000 });
    await split.fill('10');
    await page.locator('form', { has: split }).locator('button[type="submit"]').click();
    const notice = page.locator('[data-testid="work-order-change-notice"]');
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.getAttribute('data-ok')).toBe('false');
    expect(await notice.textContent()).toBe(
      '被拒绝：从订单 WO-E2 拆出 10 件后剩余 0 件，少于已完成的 0 件（至少 1 件）',
    );
    expect((await orderOf('WO-E2')).quantity).toBe(10);

    await page.locator('input[name="reason"]').fill('重复订单');
    await page.locator('button[name="cancel"]').click();
    const history = page.locator('[data-testid="work-order-change-history"] tbody tr');
    await history.first().waitFor({ timeout: 15_000 });
    expect(await history.first().getAttribute('data-change')).toBe('cancel');
    expect(await history.first().textContent()).toContain('重复订单');
    // A cancelled order offers no more changes.
    await waitFor('form gone', async () =>
      (await page.locator('[data-testid="work-order-change-form"]').count()) === 0
        ? true
        : undefined,
    );
    expect((await orderOf('WO-E2')).status).toBe('cancelled');
  });

  it('another screen follows a change live: the order page, the orders list and board', async () => {
    const created = await stack.post('/api/work-orders', {
      id: 'WO-E3',
      product: 'bracket-b12',
      quantity: 30,
      operations: [{ id: 'OP10', machine: 'press-02' }],
    });
    expect(created.status).toBe(201);
    // Three screens open before the change: the order page, the orders list, the board.
    await page.goto(`${stack.ingest.url}/work-orders/WO-E3`);
    const summary = page.locator('[data-testid="work-order-summary"]');
    await summary.waitFor({ timeout: 15_000 });
    expect(await summary.textContent()).toContain('0 / 30 (');
    const list = await context.newPage();
    await list.goto(`${stack.ingest.url}/analytics`);
    const listed = list.locator('tr', { has: list.locator('a', { hasText: 'WO-E3' }) });
    await listed.waitFor({ timeout: 20_000 });
    expect(await listed.textContent()).toContain('0 / 30');
    const board = await context.newPage();
    await board.goto(`${stack.ingest.url}/board?show=orders`);
    const row = board.locator('[data-testid="order-row"][data-order-id="WO-E3"]');
    await row.waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain('0 / 30');

    // The change comes through the API, not through any of these screens.
    const patched = await stack.api('/api/work-orders/WO-E3', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ quantity: 77 }),
    });
    expect(patched.status).toBe(200);

    // The order page loads again (it does not poll): the summary and the form's quantity.
    await waitFor('order page shows 77', async () =>
      (await summary.textContent())?.includes('0 / 77 (') ? true : undefined,
    );
    // Scoped to the change form: the order page has other forms with a quantity (an NC's).
    const changeForm = page.locator('[data-testid="work-order-change-form"]');
    expect(await changeForm.locator('input[name="quantity"]').inputValue()).toBe('77');
    const history = page.locator('[data-testid="work-order-change-history"] tbody tr');
    await history.first().waitFor({ timeout: 15_000 });
    expect(await history.first().textContent()).toContain('quantity: 30 → 77');
    // The list (loaded once, no poll) and the board.
    await waitFor('orders list shows 77', async () =>
      (await listed.textContent())?.includes('0 / 77') ? true : undefined,
    );
    await waitFor('orders board shows 77', async () =>
      (await row.textContent())?.includes('0 / 77') ? true : undefined,
    );
    await list.close();
    await board.close();
  });

  it('takes the due date from a date-time picker on the plant`s clock', async () => {
    const created = await stack.post('/api/work-orders', {
      id: 'WO-E4',
      product: 'bracket-b12',
      quantity: 20,
      dueAt: '2026-12-24T02:00:00.000Z',
      operations: [{ id: 'OP10', machine: 'press-02' }],
    });
    expect(created.status).toBe(201);
    // The browser runs in UTC; the plant (ingest/plant/demo-plant.yaml) in Asia/Shanghai.
    await page.goto(`${stack.ingest.url}/work-orders/WO-E4`);
    const due = page.locator('input[name="dueAt"]');
    await due.waitFor({ timeout: 15_000 });
    expect(await due.getAttribute('type')).toBe('datetime-local');
    expect(await due.inputValue()).toBe('2026-12-24T10:00');
    await due.fill('2026-12-25T14:30');
    await page.locator('[data-testid="work-order-change-form"] button[type="submit"]').click();
    const notice = page.locator('[data-testid="work-order-change-notice"]');
    await waitFor('saved', async () =>
      (await notice.textContent().catch(() => null)) === 'Saved.' ? true : undefined,
    );
    const stored = (await (await stack.api('/api/work-orders/WO-E4')).json()) as {
      dueAt: string;
    };
    expect(Date.parse(stored.dueAt)).toBe(Date.parse('2026-12-25T06:30:00.000Z'));
    expect(await due.inputValue()).toBe('2026-12-25T14:30');
  });
});
