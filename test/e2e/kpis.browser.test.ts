import type { KpiName, KpiWeekly } from '@takt/protocol/api';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, signedInContext } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';

/*
 * Issue 19's KPI board in Debian's chromium at 1920 × 1080 on the whole stack (the demo
 * plant in Asia/Shanghai): nine weeks of completed orders, pieces and operator scans are
 * stored as the work-orders consumer stores them, and the board shows this week's figures
 * as GET /api/kpis/weekly gives them, in English and Chinese, without scrolling.
 */
const H = 3_600_000;

/** The board's panels, in reading order. */
const KPI_PANELS: readonly KpiName[] = [
  'onTimeRate',
  'leadTimeMeanMs',
  'leadTimeCv',
  'scrapRate',
  'firstPassYield',
  'outputPerOperatorHour',
  'oee',
];

/** How the board should write a figure (docs/dashboard.md "Boards", KPIs), written out again here. */
function kpiText(name: KpiName, value: number | null, lang: 'en' | 'zh-CN'): string {
  if (value === null) return '–';
  if (name === 'onTimeRate' || name === 'oee') return `${Math.round(value * 100)} %`;
  if (name === 'scrapRate' || name === 'firstPassYield') return `${(value * 100).toFixed(1)} %`;
  if (name === 'leadTimeCv') return value.toFixed(2);
  if (name === 'outputPerOperatorHour') return value.toFixed(1);
  const hours = value / H;
  const [h, d] = lang === 'en' ? ['h', 'd'] : ['小时', '天'];
  return hours < 48 ? `${Math.round(hours)} ${h}` : `${(hours / 24).toFixed(1)} ${d}`;
}

const arrowOf = (delta: number | null, better: boolean | null) =>
  delta === null ? '' : better === null ? '=' : delta > 0 ? '▲' : '▼';
const DAY = 24 * H;
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/**
 * One completed order a week for nine weeks, each inside its plant week (the test may run in
 * the first minutes of one): lead times, lateness and scrap vary by week. Written in one
 * transaction: the live demo's press-01 counts, attributed to the last start scan on press-01
 * (ingest/src/work-orders/apply.ts), would otherwise land on an order whose start is stored and
 * whose complete is not yet (a fresh-clone run saw WO-KPI-8 with 473 good instead of 472).
 */
async function storeHistory() {
  const { weeks } = (await (await stack.api('/api/kpis/weekly?weeks=9')).json()) as KpiWeekly;
  const client = await stack.ingest.pool.connect();
  try {
    await client.query('BEGIN');
    const thisWeek = Date.parse(weeks.at(-1)!.from);
    // Each week's events at the same fractions of the time this week has run so far.
    const span = Math.min(Date.now() - thisWeek, 7 * DAY);
    for (let w = 0; w < 9; w++) {
      const at = (fraction: number) => Date.parse(weeks[w]!.from) + span * fraction;
      const completed = at(0.9);
      const lead = (20 + w * 3) * H;
      const created = completed - lead;
      const due = w === 1 || w === 4 ? completed - H : completed + 5 * H; // two of nine late
      const id = `WO-KPI-${w}`;
      await client.query(
        `INSERT INTO work_orders (id, customer, quantity, created_at, due_at) VALUES ($1, 'Acme', 500, $2, $3)`,
        [id, new Date(created), new Date(due)],
      );
      await client.query(
        `INSERT INTO work_order_operations (work_order_id, position, id, machine_id, status, good, rejected, started_at, completed_at)
       VALUES ($1, 0, 'OP10', 'press-01', 'done', $2, $3, $4, $5)`,
        [id, 480 - w, 20 + w, new Date(at(0.2)), new Date(completed)],
      );
      const events: [number, string, number | null, number | null, unknown][] = [
        [at(0.2), 'scan', null, null, { action: 'start', operator: `op-${w % 2}` }],
        [at(0.5), 'count', 480 - w, 12, null],
        [at(0.6), 'count', 0, 8 + w, { source: 'scan', reason: 'burr' }],
        [completed, 'scan', null, null, { action: 'complete' }],
      ];
      for (const [time, kind, good, rejected, detail] of events)
        await client.query(
          `INSERT INTO work_order_events (work_order_id, time, kind, operation_id, machine_id, good, rejected, detail)
         VALUES ($1, $2, $3, 'OP10', 'press-01', $4, $5, $6)`,
          [id, new Date(time), kind, good, rejected, detail],
        );
    }
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

beforeAll(async () => {
  stack = await startStack();
  await storeHistory();
  browser = await launchBrowser();
  context = await signedInContext(browser, stack, 'manager');
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const weekly = async () =>
  (await (await stack.api('/api/kpis/weekly?weeks=9')).json()) as KpiWeekly;

/** What each panel shows: its value, arrow and mean line. */
async function shown() {
  const out: Record<string, { value: string; arrow: string; mean: string }> = {};
  for (const name of KPI_PANELS) {
    const panel = page.locator(`[data-testid="kpi-panel"][data-kpi="${name}"]`);
    out[name] = {
      value: (await panel.locator('[data-testid="kpi-value"]').textContent()) ?? '',
      arrow: (await panel.locator('[data-testid="kpi-arrow"]').textContent()) ?? '',
      mean: (await panel.locator('[data-testid="kpi-mean"]').textContent()) ?? '',
    };
  }
  return out;
}

/**
 * Opens the board and compares it with the API. OEE moves with the live plant between the
 * board's request and the test's, so the page is reloaded until one API answer matches.
 */
async function boardMatchesApi(lang: 'en' | 'zh-CN') {
  let api: KpiWeekly | undefined;
  let screen: Awaited<ReturnType<typeof shown>> | undefined;
  const expected = (k: KpiWeekly) =>
    Object.fromEntries(
      KPI_PANELS.map((name: KpiName) => [
        name,
        {
          value: kpiText(name, k.trends[name].current, lang),
          arrow: arrowOf(k.trends[name].delta, k.trends[name].better),
        },
      ]),
    );
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.goto(`${stack.ingest.url}/board?show=kpis&lang=${lang}`);
    await page.locator('[data-testid="kpis-board"][data-loaded="true"]').waitFor();
    screen = await shown();
    api = await weekly();
    const want = expected(api);
    if (
      KPI_PANELS.every(
        (n) => screen![n]!.value === want[n]!.value && screen![n]!.arrow === want[n]!.arrow,
      )
    )
      break;
  }
  const want = expected(api!);
  for (const name of KPI_PANELS) {
    expect(screen![name]!.value, name).toBe(want[name]!.value);
    expect(screen![name]!.arrow, name).toBe(want[name]!.arrow);
  }
  return { api: api!, screen: screen! };
}

describe('KPI board', () => {
  it('shows this week against the eight before it, as the API gives it, in English', async () => {
    const { api, screen } = await boardMatchesApi('en');
    const week = api.weeks.at(-1)!;
    // This week's order (lead 44 h, on time) and its pieces: the figures are not blanks.
    expect(week).toMatchObject({ completed: 1, onTime: 1, onTimeRate: 1 });
    expect(week.leadTimeMeanMs).toBe(44 * H);
    expect(screen.onTimeRate!.value).toBe('100 %');
    expect(screen.leadTimeMeanMs!.value).toBe('44 h');
    // Earlier weeks: six of eight on time, a mean below this week's 100 %: an arrow up.
    expect(api.trends.onTimeRate.mean).toBe(0.75);
    expect(screen.onTimeRate!.arrow).toBe('▲');
    expect(screen.onTimeRate!.mean).toBe('8-week mean 75 %');
    // Lead time grew every week: longer than the mean is worse, in red.
    expect(api.trends.leadTimeMeanMs.better).toBe(false);
    const arrowColour = await page
      .locator('[data-testid="kpi-panel"][data-kpi="leadTimeMeanMs"] [data-testid="kpi-arrow"]')
      .evaluate(
        (el) =>
          (
            globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }
          ).getComputedStyle(el).color,
      );
    expect(arrowColour).toBe('rgb(239, 68, 68)');
    expect(screen.scrapRate!.value).toMatch(/^\d+\.\d %$/);
    // Each panel draws its nine weeks.
    expect(await page.locator('[data-testid="kpi-panel"] canvas').count()).toBe(7);
    // Nothing scrolls on the TV: the page and every panel fit.
    const board = page.locator('[data-testid="kpis-board"]');
    expect(await board.evaluate((el) => el.scrollHeight <= el.clientHeight + 1)).toBe(true);
    for (const name of KPI_PANELS) {
      const panel = page.locator(`[data-testid="kpi-panel"][data-kpi="${name}"]`);
      expect(await panel.evaluate((el) => el.scrollHeight <= el.clientHeight + 1), name).toBe(true);
    }
    const doc = await page.evaluate(() => {
      const d = globalThis as unknown as {
        document: { documentElement: { scrollHeight: number; scrollWidth: number } };
        innerHeight: number;
        innerWidth: number;
      };
      return {
        fits:
          d.document.documentElement.scrollHeight <= d.innerHeight &&
          d.document.documentElement.scrollWidth <= d.innerWidth,
      };
    });
    expect(doc.fits).toBe(true);
    await screenshot(page, 'board-kpis');
  }, 90_000);

  it('shows the same figures in Chinese with lang=zh-CN', async () => {
    const { screen } = await boardMatchesApi('zh-CN');
    expect(await page.locator('.kpis-board__title').textContent()).toMatch(/^关键指标/);
    expect(
      await page
        .locator('[data-testid="kpi-panel"][data-kpi="onTimeRate"] .kpi__title')
        .textContent(),
    ).toBe('准时交付率');
    expect(screen.leadTimeMeanMs!.value).toBe('44 小时');
    expect(screen.onTimeRate!.mean).toBe('前 8 周均值 75 %');
    const board = page.locator('[data-testid="kpis-board"]');
    expect(await board.evaluate((el) => el.scrollHeight <= el.clientHeight + 1)).toBe(true);
    await screenshot(page, 'board-kpis-zh');
  }, 90_000);

  it('takes its place in the rotation list', async () => {
    await page.goto(`${stack.ingest.url}/board?show=orders,kpis&every=5&lang=en`);
    await page
      .locator('[data-testid="kpis-board"][data-loaded="true"]')
      .waitFor({ timeout: 20_000 });
    expect(await page.locator('.rotation').textContent()).toContain('KPIs');
  }, 60_000);
});

describe('quality on analytics and scrap per order', () => {
  it('shows the reject-reason Pareto and narrows it to a customer', async () => {
    await page.goto(`${stack.ingest.url}/analytics?lang=en`);
    await page.locator('button[data-window="30d"]').click();
    const pareto = page.locator('[data-testid="reject-pareto"]');
    const read = async () => ({
      reasons: JSON.parse((await pareto.getAttribute('data-reasons')) ?? '[]') as (string | null)[],
      pieces: JSON.parse((await pareto.getAttribute('data-pieces')) ?? '[]') as number[],
      cumulative: JSON.parse((await pareto.getAttribute('data-cumulative')) ?? '[]') as number[],
    });
    await expect.poll(async () => (await read()).reasons.length, { timeout: 20_000 }).toBe(2);
    const bars = await read();
    // The stations' "burr" reports and the machine counter's rejects (no reason), biggest first.
    expect(new Set(bars.reasons)).toEqual(new Set(['burr', null]));
    expect(bars.pieces[0]).toBeGreaterThanOrEqual(bars.pieces[1]!);
    expect(bars.cumulative.at(-1)).toBe(100);
    expect(await pareto.locator('canvas').count()).toBe(1);
    expect(await page.locator('[data-testid="delivery-table"] tr[data-group="Acme"]').count()).toBe(
      1,
    );
    // A customer with no orders: nothing rejected.
    const url = `/api/quality?from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date().toISOString()}&customer=Nobody`;
    const none = (await (await stack.api(url)).json()) as { pareto: unknown[] };
    expect(none.pareto).toEqual([]);
    await page.locator('[data-testid="quality-customer"]').selectOption('Acme');
    await expect.poll(async () => (await read()).reasons.length, { timeout: 20_000 }).toBe(2);
    await page.locator('[data-testid="quality"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'page-analytics-quality');
  }, 90_000);

  it('shows scrap per operation with its reasons on the order page', async () => {
    await page.goto(`${stack.ingest.url}/work-orders/WO-KPI-8?lang=en`);
    const scrap = page.locator('[data-testid="order-scrap"]');
    await expect.poll(() => scrap.getAttribute('data-rejected'), { timeout: 20_000 }).toBe('28');
    // 12 from the machine counter, 16 reported as burr; 472 good.
    const row = scrap.locator('tr[data-operation="OP10"]');
    expect(await row.locator('td').allTextContents()).toEqual([
      'OP10',
      'press-01',
      '472',
      '28',
      '5.6 %',
      'burr 16 · Machine counter (no reason) 12',
    ]);
  }, 60_000);
});
