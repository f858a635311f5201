import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { plantModelSchema } from '@takt/protocol';
import { applyPlantModel } from '../../ingest/src/plant';
import { launchBrowser, screenshot, signedInContext } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';

/**
 * The four wall boards (issue 8) in Debian's chromium against the whole plant: the demo
 * scenario over Modbus / OPC UA, the broker, ingest, the edge agent. Screenshots at 1080p.
 */
const root = join(import.meta.dirname, '../..');

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const RED = 'rgb(239, 68, 68)';
const GREEN = 'rgb(34, 197, 94)';

/**
 * The demo plant with a shift calendar that covers every hour (the test runs at any time),
 * its current shift starting this hour (plant time) so its figures are not mostly the time
 * before the stack started.
 */
function testPlantFile(): string {
  const plant = parse(readFileSync(join(root, 'ingest/plant/demo-plant.yaml'), 'utf8')) as {
    shifts: unknown[];
    alerts: { rules: { id: string; forMin?: number }[] };
  };
  const hour = Number(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Shanghai',
      hour: '2-digit',
      hourCycle: 'h23',
    }).format(Date.now()),
  );
  const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
  plant.shifts = [
    { id: 'first', name: 'First', start: hh(hour), end: hh(hour + 12) },
    { id: 'second', name: 'Second', start: hh(hour + 12), end: hh(hour) },
  ];
  // A press down for 3 s opens the andon's alert (15 s in the demo).
  for (const rule of plant.alerts.rules) if (rule.id === 'press-down') rule.forMin = 0.05;
  const file = join(mkdtempSync(join(tmpdir(), 'takt-boards-')), 'plant.yaml');
  writeFileSync(file, stringify(plant));
  return file;
}

beforeAll(async () => {
  stack = await startStack({ plantFile: testPlantFile() });
  browser = await launchBrowser();
  context = await signedInContext(browser, stack, 'manager');
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const tile = (id: string) => page.locator(`[data-testid="machine-tile"][data-machine-id="${id}"]`);
/** The colour on screen (the test's TypeScript has no DOM library: the window is typed here). */
type Styled = { getComputedStyle(el: unknown): { backgroundColor: string } };
const background = (l: Locator) =>
  l.evaluate((el) => (globalThis as unknown as Styled).getComputedStyle(el).backgroundColor);

/** Waits until the API has what a board will show on its first poll (they poll once a minute). */
async function apiUntil<T>(path: string, ok: (body: T) => boolean): Promise<T> {
  let last: T | undefined;
  await expect
    .poll(
      async () => {
        const response = await stack.api(path.replace('{now}', new Date().toISOString()));
        last = (await response.json()) as T;
        return response.ok && ok(last);
      },
      { timeout: 40_000, interval: 1000 },
    )
    .toBe(true);
  return last!;
}

describe('plant board', () => {
  it('shows every machine with its shift figures, and a PLC state change as a colour', async () => {
    const plc = stack.sim.machines.get('cnc-01')!;
    plc.pin({ ...plc.values(), state: 'running' });
    await page.goto(`${stack.ingest.url}/board?show=plant`);
    await expect
      .poll(() => page.locator('[data-testid="machine-tile"]').count(), { timeout: 15_000 })
      .toBe(4);
    const band = tile('cnc-01').locator('[data-testid="tile-band"]');
    await expect.poll(() => background(band), { timeout: 15_000 }).toBe(GREEN);
    // The shift's figures came (GET /api/boards/shift): a target from the ideal cycle time.
    await expect
      .poll(
        () => tile('press-01').locator('[data-testid="tile-target"]').getAttribute('data-status'),
        {
          timeout: 15_000,
        },
      )
      .toMatch(/^(ahead|on|behind)$/);
    expect(await page.locator('[data-testid="plant-board"]').getAttribute('data-detail')).toBe(
      'full',
    );

    plc.pin({ ...plc.values(), state: 'down' });
    await expect.poll(() => background(band), { timeout: 15_000 }).toBe(RED);
    expect(await tile('cnc-01').getAttribute('data-display-state')).toBe('down');
    expect(await tile('cnc-01').locator('[data-testid="tile-state"]').textContent()).toBe('Down');
    await screenshot(page, 'board-plant');
    plc.release();
  });

  it('labels tiles in Chinese with lang=zh-CN', async () => {
    await page.goto(`${stack.ingest.url}/board?show=plant&lang=zh-CN`);
    await expect
      .poll(() => tile('press-01').locator('[data-testid="tile-state"]').textContent(), {
        timeout: 15_000,
      })
      .toMatch(/^(运行|降速|短停|空闲|停机|计划停机|离线 \/ 无数据)$/);
    expect(await tile('press-01').locator('.tile__label').first().textContent()).toMatch(
      /^(本班良品|今日良品)$/,
    );
    await screenshot(page, 'board-plant-zh');
    await page.goto(`${stack.ingest.url}/board?show=plant&lang=en`);
  });
});

describe('line, orders and andon boards', () => {
  it('orders board: orders created through the API, most urgent first', async () => {
    const hour = 3_600_000;
    const order = (id: string, dueInMs: number, customer: string) =>
      stack.post('/api/work-orders', {
        id,
        product: 'bracket-b12',
        quantity: 500,
        customer,
        dueAt: new Date(Date.now() + dueInMs).toISOString(),
        operations: [{ id: 'OP10', machine: 'press-01' }],
      });
    for (const [id, due, customer] of [
      ['WO-LATER', 10 * 24 * hour, 'Initech'],
      ['WO-SOON', 2 * hour, 'Umbrella'],
      ['WO-OVERDUE', -hour, 'Acme'],
    ] as const)
      expect((await order(id, due, customer)).status).toBe(201);

    await page.goto(`${stack.ingest.url}/board?show=orders`);
    const rows = page.locator('[data-testid="order-row"]');
    await expect
      .poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-order-id'))), {
        timeout: 20_000,
      })
      .toEqual(['WO-OVERDUE', 'WO-SOON', 'WO-LATER']);
    // Past due without an ETA: late risk, flagged on screen.
    expect(await rows.first().getAttribute('data-late-risk')).toBe('true');
    expect(await rows.first().textContent()).toContain('LATE RISK');
    expect(await rows.first().textContent()).toContain('Acme');
    await screenshot(page, 'board-orders');
  });

  it('line board: OEE with A / P / Q, output per hour, downtime, orders, shift clock', async () => {
    // The board polls once a minute: wait until the API has figures for its first look.
    const shift = await apiUntil<{ from: string; shift: { name: string } | null }>(
      '/api/boards/shift',
      (b) => b.shift !== null,
    );
    const span = `from=${encodeURIComponent(shift.from)}&to={now}`;
    await apiUntil<{ oee: number | null }>(`/api/oee?line=line-a&${span}`, (b) => b.oee !== null);
    await apiUntil<{ hours: { actual: number }[] }>(`/api/output?machine=press-01&${span}`, (b) =>
      b.hours.some((h) => h.actual > 0),
    );
    // A stop with a reason, for the downtime list.
    const press = stack.sim.machines.get('press-02')!;
    press.pin({ ...press.values(), state: 'down' });
    await apiUntil<{ reasons: unknown[] }>(
      `/api/downtime?line=line-a&${span}`,
      (b) => b.reasons.length > 0,
    );
    press.release();

    await page.goto(`${stack.ingest.url}/board?show=line:line-a`);
    const oee = page.locator('[data-testid="line-oee"]');
    await expect
      .poll(() => oee.getAttribute('data-value'), { timeout: 20_000 })
      .toMatch(/^0?\.\d+|^1/);
    for (const part of ['availability', 'performance', 'quality'])
      expect(await oee.locator(`[data-part="${part}"]`).getAttribute('data-value')).not.toBe('');
    const output = page.locator('[data-testid="line-output"]');
    await expect
      .poll(async () => Number(await output.getAttribute('data-hours')), { timeout: 20_000 })
      .toBeGreaterThan(0);
    expect(await output.locator('canvas').count()).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('[data-testid="line-downtime"] li').count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('[data-testid="line-orders"] [data-order-id]').count(), {
        timeout: 20_000,
      })
      .toBe(3);
    expect(await page.locator('[data-testid="shift-clock"]').textContent()).toContain(
      shift.shift!.name,
    );
    expect(await page.locator('[data-testid="machine-tile"]').count()).toBe(2);
    await screenshot(page, 'board-line');
  });

  it('line board: an unknown line is a plain message', async () => {
    await page.goto(`${stack.ingest.url}/board?show=line:line-zz`);
    const message = page.locator('[data-testid="plain-message"]');
    await message.waitFor({ timeout: 15_000 });
    expect(await message.textContent()).toContain('line-zz');
  });

  it('orders board: more orders than rows turn pages instead of scrolling', async () => {
    for (let i = 1; i <= 14; i += 1)
      expect(
        (
          await stack.post('/api/work-orders', {
            id: `WO-P${String(i).padStart(2, '0')}`,
            product: 'housing-h7',
            quantity: 20,
            dueAt: new Date(Date.now() + (20 + i) * 86_400_000).toISOString(),
            operations: [{ id: 'OP10', machine: 'cnc-02' }],
          })
        ).status,
      ).toBe(201);
    await page.goto(`${stack.ingest.url}/board?show=orders`);
    const pager = page.locator('[data-testid="orders-page"]');
    await expect.poll(() => pager.getAttribute('data-pages'), { timeout: 20_000 }).toBe('2');
    // One look at the page, its size and its rows at once: the rows per page follow the
    // board's height, and an order's urgency may move it between pages while the test waits.
    const board = page.locator('[data-testid="orders-board"]');
    const look = () =>
      board.evaluate((el) => {
        const foot = el.querySelector('[data-testid="orders-page"]')!;
        return {
          page: Number(foot.getAttribute('data-page')),
          rows: Number(foot.getAttribute('data-rows')),
          count: Number(el.getAttribute('data-count')),
          ids: [...el.querySelectorAll('[data-testid="order-row"]')].map((e) =>
            e.getAttribute('data-order-id'),
          ),
          fits: el.scrollHeight <= el.clientHeight + 1,
        };
      });
    const first = await look();
    expect(first).toMatchObject({ page: 0, count: 17, fits: true });
    expect(first.ids[0]).toBe('WO-OVERDUE');
    expect(first.ids).toHaveLength(first.rows);
    await expect.poll(async () => (await look()).page, { timeout: 12_000 }).toBe(1);
    const second = await look();
    expect(second).toMatchObject({ count: 17, fits: true });
    expect(second.ids).not.toContain('WO-OVERDUE');
    expect(second.ids).toHaveLength(17 - second.rows);
  });

  it('andon board: a new alert announces itself, time open ticking', async () => {
    await page.goto(`${stack.ingest.url}/board?show=andon`);
    await page.locator('[data-testid="andon-board"]').waitFor({ timeout: 15_000 });
    const press = stack.sim.machines.get('press-01')!;
    press.pin({ ...press.values(), state: 'down' });
    const card = page.locator('[data-testid="andon-card"][data-rule="press-down"]');
    await card.waitFor({ timeout: 30_000 });
    expect(await card.getAttribute('data-severity')).toBe('critical');
    expect(await card.getAttribute('data-new')).toBe('true');
    expect(await background(card)).toBe('rgb(185, 28, 28)');
    const age = async () =>
      Number(await card.locator('.andon-card__age').getAttribute('data-age-ms'));
    const first = await age();
    await expect.poll(age, { timeout: 5_000 }).toBeGreaterThan(first);
    expect(await card.textContent()).toContain('nobody yet');
    await screenshot(page, 'board-andon');
    press.release();
  });

  it('rotates /board?show=plant,andon&every=5', async () => {
    await page.goto(`${stack.ingest.url}/board?show=plant,andon&every=5`);
    const screen = page.locator('[data-testid="board-screen"]');
    await expect.poll(() => screen.getAttribute('data-board'), { timeout: 10_000 }).toBe('plant');
    await expect.poll(() => screen.getAttribute('data-board'), { timeout: 12_000 }).toBe('andon');
    await page.locator('[data-testid="andon-board"]').waitFor();
  });
});

describe('a 4K TV', () => {
  it('shows the same plant board twice as large', async () => {
    const sizeOf = async (p: Page) => {
      const name = p.locator('[data-machine-id="press-01"] .tile__name');
      await name.waitFor({ timeout: 15_000 });
      const box = (await p.locator('[data-machine-id="press-01"]').boundingBox())!;
      const font = await name.evaluate(
        (el) => (globalThis as unknown as FontOf).getComputedStyle(el).fontSize,
      );
      return { height: box.height, font: Number.parseFloat(font) };
    };
    type FontOf = { getComputedStyle(el: unknown): { fontSize: string } };
    await page.goto(`${stack.ingest.url}/board?show=plant`);
    const hd = await sizeOf(page);
    const uhd = await context.newPage();
    await uhd.setViewportSize({ width: 3840, height: 2160 });
    await uhd.goto(`${stack.ingest.url}/board?show=plant`);
    const big = await sizeOf(uhd);
    expect(big.height).toBeGreaterThan(1.8 * hd.height);
    expect(big.font).toBeGreaterThan(1.8 * hd.font);
    await screenshot(uhd, 'board-plant-4k');
    await uhd.close();
  });
});

describe('a plant of 200 machines', () => {
  it('fits every tile on one screen with fewer details (no data: offline)', async () => {
    const demo = parse(readFileSync(join(root, 'ingest/plant/demo-plant.yaml'), 'utf8')) as {
      lines: { id: string; name: string; machines: { id: string; name: string }[] }[];
      alerts?: unknown;
    };
    for (let l = 1; l <= 8; l += 1)
      demo.lines.push({
        id: `hall-${l}`,
        name: `Hall ${l}`,
        machines: Array.from({ length: 24 + (l % 2) }, (_, i) => ({
          id: `h${l}-m${String(i + 1).padStart(2, '0')}`,
          name: `H${l} M${i + 1}`,
        })),
      });
    delete demo.alerts;
    const plant = plantModelSchema.parse(demo);
    const count = plant.lines.reduce((s, l) => s + l.machines.length, 0);
    expect(count).toBeGreaterThanOrEqual(200);
    await applyPlantModel(stack.ingest.pool, plant);

    await page.goto(`${stack.ingest.url}/board?show=plant`);
    const tiles = page.locator('[data-testid="machine-tile"]');
    await expect.poll(() => tiles.count(), { timeout: 20_000 }).toBe(count);
    const board = page.locator('[data-testid="plant-board"]');
    expect(await board.getAttribute('data-detail')).toBe('minimal');
    // Nothing scrolls, and the last tile is inside the screen, once the board has laid out the
    // tiles that just arrived (a wait for the layout, not for a time).
    await expect
      .poll(() => board.evaluate((el) => el.scrollHeight <= el.clientHeight + 1), {
        timeout: 10_000,
      })
      .toBe(true);
    const bottom = await tiles.evaluateAll((els) =>
      Math.max(...els.map((e) => e.getBoundingClientRect().bottom)),
    );
    expect(bottom).toBeLessThanOrEqual(1080);
    expect(await tile('h8-m24').getAttribute('data-display-state')).toBe('offline');
    await screenshot(page, 'board-plant-200');
  });
});
