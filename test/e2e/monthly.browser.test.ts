import type { MonthlyReport } from '@takt/protocol/api';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, signedInContext } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';

/*
 * The monthly improvement page on the whole stack (docs/decisions.md "Issue 19 — reports
 * through the channel queue; the monthly page"): with the demo plant running and an order
 * due an hour ago and not done, the page shows the figures `GET /api/reports/monthly` gives,
 * in English and in Chinese, the late order with its row, and a PDF link that answers a PDF.
 */
/*
 * How the page writes figures (dashboard/src/pages/monthly/monthly-figures.ts), restated here:
 * this project's typecheck keeps the tests and the dashboard apart.
 */
const MONTHLY_FIGURES = ['oee', 'availability', 'performance', 'quality', 'goodCount'] as const;
type Figure = (typeof MONTHLY_FIGURES)[number];
const figureText = (f: Figure, v: number | null) =>
  v === null
    ? '—'
    : f === 'goodCount'
      ? Math.round(v).toLocaleString('en-US')
      : `${Math.round(v * 100)} %`;
const changeText = (f: Figure, v: { this: number | null; last: number | null }) => {
  if (v.this === null || v.last === null) return '—';
  const sign = (n: number) => (n > 0 ? `+${n}` : String(n));
  return f === 'goodCount'
    ? sign(Math.round(v.this - v.last))
    : `${sign(Math.round((v.this - v.last) * 100))} pt`;
};
const hours = (ms: number) => (ms / 3_600_000).toFixed(1);
const plantMonth = (ms: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .format(ms)
    .slice(0, 7);

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const dueAt = Date.now() - 3_600_000;
const month = plantMonth(dueAt);

beforeAll(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  context = await signedInContext(browser, stack, 'manager');
  page = await context.newPage();
  const created = await stack.post('/api/work-orders', {
    id: 'WO-MONTHLY-LATE',
    product: 'bracket-b12',
    quantity: 100_000,
    customer: '华东机械',
    dueAt: new Date(dueAt).toISOString(),
    operations: [{ id: 'OP10', machine: 'press-01' }],
  });
  expect(created.status).toBe(201);
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
});

async function apiReport(lang: 'en' | 'zh-CN'): Promise<MonthlyReport> {
  const answer = await stack.api(`/api/reports/monthly?month=${month}&lang=${lang}`);
  expect(answer.status).toBe(200);
  return (await answer.json()) as MonthlyReport;
}

/**
 * Opens the page and compares each figure, loss, stop and late order with the API answer
 * the page got (the plant runs meanwhile: a second read may differ by a second of data), and
 * the parts that do not move (title, last month, the late order) with a fresh read.
 */
async function pageMatchesApi(lang: 'en' | 'zh-CN') {
  const answered = page.waitForResponse((r) =>
    r.url().includes(`/api/reports/monthly?month=${month}&lang=${lang}`),
  );
  await page.goto(`${stack.ingest.url}/reports/monthly?month=${month}&lang=${lang}`);
  const got = await answered;
  expect(got.status()).toBe(200);
  const report = (await got.json()) as MonthlyReport;
  await page.locator('[data-testid="monthly-report"]').waitFor({ timeout: 60_000 });
  const fresh = await apiReport(lang);
  expect(fresh.title).toBe(report.title);
  expect(fresh.late.map((o) => o.id)).toEqual(report.late.map((o) => o.id));
  expect(await page.locator('[data-testid="monthly-title"]').innerText()).toBe(report.title);
  for (const f of MONTHLY_FIGURES) {
    const row = page.locator(`[data-testid="monthly-figure-${f}"]`);
    expect(await row.locator('[data-this]').innerText()).toBe(figureText(f, report[f].this));
    expect(await row.locator('[data-last]').innerText()).toBe(figureText(f, report[f].last));
    expect(await row.locator('td').nth(2).innerText()).toBe(changeText(f, report[f]));
  }
  const losses = page.locator('[data-testid="monthly-loss"]');
  expect(await losses.count()).toBe(6);
  for (const [i, loss] of report.losses.entries()) {
    const row = losses.nth(i);
    expect(await row.getAttribute('data-loss')).toBe(loss.loss);
    expect(await row.locator('th').innerText()).toBe(loss.label);
    expect(await row.locator('[data-this]').innerText()).toBe(`${hours(loss.thisMs)} h`);
    expect(await row.locator('[data-last]').innerText()).toBe(`${hours(loss.lastMs)} h`);
  }
  const stops = page.locator('[data-testid="monthly-stop"]');
  expect(await stops.count()).toBe(report.stops.length);
  for (const [i, stop] of report.stops.entries()) {
    expect(await stops.nth(i).locator('th').innerText()).toBe(stop.label);
    expect(await stops.nth(i).locator('[data-this]').innerText()).toBe(`${hours(stop.thisMs)} h`);
  }
  const late = page.locator('[data-testid="monthly-late"]');
  expect(await late.count()).toBe(report.late.length);
  const ours = report.late.find((o) => o.id === 'WO-MONTHLY-LATE');
  expect(ours).toMatchObject({ customer: '华东机械', completedAt: null });
  const row = page.locator('[data-testid="monthly-late"][data-order="WO-MONTHLY-LATE"]');
  expect(await row.innerText()).toContain('华东机械');
  expect(await row.locator('td[data-cause]').getAttribute('data-cause')).toBe(
    ours!.cause?.reason ?? '',
  );
  return report;
}

// Reading a month of windows is slow on a loaded machine: not a speed check.
describe('the monthly improvement page', { timeout: 180_000 }, () => {
  it('shows the figures of the API in English and Chinese, with the late order and the PDF', async () => {
    const en = await pageMatchesApi('en');
    expect(en.lang).toBe('en');
    expect(await page.locator('[data-testid="monthly-losses-chart"] canvas').count()).toBe(1);
    expect(await page.locator('[data-testid="monthly-late"]').innerText()).toContain('not done');
    const pdfHref = await page.locator('[data-testid="monthly-pdf"]').getAttribute('href');
    expect(pdfHref).toBe(`/api/reports/monthly.pdf?month=${month}&lang=en`);
    const pdf = await page.request.get(`${stack.ingest.url}${pdfHref}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await screenshot(page, 'page-monthly');

    const zh = await pageMatchesApi('zh-CN');
    expect(zh.title).toContain('月度改进建议报告');
    expect(await page.locator('[data-testid="monthly-late"]').innerText()).toContain('未完成');
    expect(await page.locator('.monthly').innerText()).toContain('延误订单及原因');
    await screenshot(page, 'page-monthly-zh');
  });

  it('is linked from the header for managers, and refuses a month that is not one', async () => {
    await page.goto(`${stack.ingest.url}/analytics?lang=en`);
    await page.locator('[data-testid="nav-monthly"]').click();
    await page.locator('[data-testid="monthly-report"]').waitFor({ timeout: 60_000 });
    expect(new URL(page.url()).pathname).toBe('/reports/monthly');
    expect(await page.locator('[data-testid="monthly-month"]').inputValue()).toBe(
      plantMonth(Date.now()),
    );
    await page.goto(`${stack.ingest.url}/reports/monthly?month=2026-13&lang=en`);
    await page.getByText('"2026-13" is not a month (YYYY-MM)').waitFor({ timeout: 10_000 });
  });
});
