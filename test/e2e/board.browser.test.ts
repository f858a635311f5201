import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DASHBOARD_DIR } from '@takt/ingest';
import { startStack, type Stack } from '../helpers/stack';

/** Debian's chromium (apt-get install chromium), driven by playwright-core. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const screenshots = join(import.meta.dirname, '../../dist/screenshots');

let stack: Stack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!existsSync(join(DEFAULT_DASHBOARD_DIR, 'index.html'))) {
    throw new Error(
      `no dashboard build in ${DEFAULT_DASHBOARD_DIR}: run npm run build first (npm test does)`,
    );
  }
  stack = await startStack();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const tile = (id: string) => page.locator(`[data-testid="machine-tile"][data-machine-id="${id}"]`);

describe('the plant board in a real browser', () => {
  it('shows a tile per machine, grouped by line', async () => {
    await page.goto(stack.ingest.url);
    await expect
      .poll(() => page.locator('[data-testid="machine-tile"]').count(), { timeout: 15_000 })
      .toBe(4);
    const lines = await page
      .locator('[data-testid="line-group"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-line-id')));
    expect(lines).toEqual(['line-a', 'line-b']);
    await expect
      .poll(() => tile('press-01').getAttribute('data-stale'), { timeout: 15_000 })
      .toBe('false');
  });

  it('updates a value and the state colour without a reload', async () => {
    const plc = stack.sim.machines.get('cnc-01')!;
    const goodCount = tile('cnc-01').locator('[data-testid="tile-good-count"]');
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));

    // Hold the counter still until the board has caught up with it, so that `before` is not a
    // poll behind the PLC (a busy machine delays the board by a reading or two).
    const now = plc.values();
    plc.pin(now);
    let before = Number.NaN;
    await expect
      .poll(
        async () => {
          const seen = Number(await goodCount.getAttribute('data-value'));
          const settled = seen === before;
          before = seen;
          return settled;
        },
        { timeout: 15_000, interval: 1000 },
      )
      .toBe(true);
    plc.pin({ ...now, good: now.good + 25, state: 'down', temperatureC: 91.2 });
    await expect
      .poll(async () => Number(await goodCount.getAttribute('data-value')), { timeout: 15_000 })
      .toBe(before + 25);
    await expect
      .poll(() => tile('cnc-01').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('down');
    await expect
      .poll(() =>
        tile('cnc-01').locator('[data-testid="tile-main-value"]').getAttribute('data-value'),
      )
      .toBe('91.2');
    expect(navigations).toEqual([]);

    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, 'plant-board.png') });
    plc.release();
  });
});
