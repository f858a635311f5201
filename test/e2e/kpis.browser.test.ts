import type { KpiName, KpiWeekly } from '@takt/protocol/api';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrowOf, KPI_PANELS, kpiText } from '../../dashboard/src/boards/kpi-figures';
import { launchBrowser, screenshot, signedInContext } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';

/*
 * Issue 19's KPI board in Debian's chromium at 1920 × 1080 on the whole stack (the demo
 * plant in Asia/Shanghai): nine weeks of completed orders, pieces and operator scans are
 * stored as the work-orders consumer stores them, and the board shows this week's figures
 * as GET /api/kpis/weekly gives them, in English and Chinese, without scrolling.
 */
const H = 3_600_000;
const DAY = 24 * H;
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/**
 * One completed order a week for nine weeks, each inside its plant week (the test may run in
 * the first minutes of one): lead times, lateness and scrap vary by week.
 */
async function storeHistory() {
  const pool = stack.ingest.pool;
  const { weeks } = (await (await stack.api('/api/kpis/weekly?weeks=9')).json()) as KpiWeekly;
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
    await pool.query(
      `INSERT INTO work_orders (id, customer, quantity, created_at, due_at) VALUES ($1, 'Acme', 500, $2, $3)`,
      [id, new Date(created), new Date(due)],
    );
    await pool.query(
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
      await pool.query(
        `INSERT INTO work_order_events (work_order_id, time, kind, operation_id, machine_id, good, rejected, detail)
         VALUES ($1, $2, $3, 'OP10', 'press-01', $4, $5, $6)`,
        [id, new Date(time), kind, good, rejected, detail],
      );
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
    expect(await page.locator('[data-testid="kpi-panel"] canvas').count()).toBe(6);
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
  });

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
  });

  it('takes its place in the rotation list', async () => {
    await page.goto(`${stack.ingest.url}/board?show=orders,kpis&every=5&lang=en`);
    await page
      .locator('[data-testid="kpis-board"][data-loaded="true"]')
      .waitFor({ timeout: 20_000 });
    expect(await page.locator('.rotation').textContent()).toContain('KPIs');
  });
});
