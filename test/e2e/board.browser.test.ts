import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let browser: Browser;
let page: Page;
let kioskLink: string;

beforeAll(async () => {
  browser = await launchBrowser(); // first: it says so when there is no dashboard build
  stack = await startStack();
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const tile = (id: string) => page.locator(`[data-testid="machine-tile"][data-machine-id="${id}"]`);

describe('the plant board in a real browser', () => {
  it('asks for a sign-in, refuses a wrong password, then shows the board', async () => {
    await page.goto(stack.ingest.url);
    const form = page.locator('[data-testid="login-form"]');
    await form.waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="machine-tile"]').count()).toBe(0);
    await form.locator('input[name="username"]').fill('stack-admin');
    await form.locator('input[name="password"]').fill('not-the-password');
    await form.locator('button[type="submit"]').click();
    await expect
      .poll(() => page.locator('[data-testid="login-error"]').textContent(), { timeout: 10_000 })
      .toContain('wrong user name or password');
    await form.locator('input[name="password"]').fill(stack.credentials.admin);
    await form.locator('button[type="submit"]').click();
    await page.locator('[data-testid="plant-board"]').waitFor({ timeout: 15_000 });
    // The session is an HttpOnly cookie: page scripts cannot read it.
    expect(await page.evaluate('document.cookie')).toBe('');
  });

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
    // Hold the PLC still and let the tile catch up first: a piece made between reading the
    // tile and pinning would otherwise count on top of the 25.
    const held = plc.values();
    plc.pin(held);
    let before = Number.NaN;
    await expect
      .poll(
        async () => {
          const value = Number(await goodCount.getAttribute('data-value'));
          const settled = value === before;
          before = value;
          return settled;
        },
        { timeout: 20_000, interval: 3000 },
      )
      .toBe(true);
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));

    plc.pin({ ...held, good: held.good + 25, state: 'down', temperatureC: 91.2 });
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

    await screenshot(page, 'plant-board');
    plc.release();
  });

  it('makes a kiosk link on the access page, shown once, listed after', async () => {
    await page.locator('[data-testid="access-link"]').click();
    const kiosk = page.locator('[data-testid="link-section"][data-kind="kiosk"]');
    await kiosk.locator('input[name="name"]').fill('Hall 2 TV');
    await kiosk.locator('button[type="submit"]').click();
    kioskLink = (await kiosk.locator('[data-testid="created-link"]').textContent({
      timeout: 10_000,
    }))!;
    expect(kioskLink).toMatch(/\/#kiosk=tkk_[\w-]{43}$/);
    await expect
      .poll(() => kiosk.locator('[data-testid="link-row"]').allTextContents())
      .toEqual([expect.stringContaining('Hall 2 TV')]);
    await page.goto(stack.ingest.url);
  });

  it('signs out, and the board is gone', async () => {
    await page.locator('[data-testid="sign-out"]').click();
    await page.locator('[data-testid="login-form"]').waitFor({ timeout: 10_000 });
    await page.reload();
    await page.locator('[data-testid="login-form"]').waitFor({ timeout: 10_000 });
  });
});

describe('link pages in a real browser (issue 9)', () => {
  it('opens the live board on a TV with a kiosk link, without signing in', async () => {
    const tv = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await tv.goto(kioskLink); // made on the access page above
    await expect
      .poll(() => tv.locator('[data-testid="machine-tile"]').count(), { timeout: 15_000 })
      .toBe(4);
    await expect
      .poll(() => tv.locator('[data-testid="connection-status"]').getAttribute('data-status'), {
        timeout: 15_000,
      })
      .toBe('live');
    expect(await tv.locator('[data-testid="sign-out"]').count()).toBe(0);
    await tv.close();
  });

  it('shows a customer only their orders on the tracking link', async () => {
    for (const [id, customer] of [
      ['WO-T1', 'Initech'],
      ['WO-T2', 'Umbrella'],
    ])
      expect(
        (
          await stack.post('/api/work-orders', {
            id,
            product: 'bracket-b12',
            quantity: 10,
            customer,
            operations: [{ id: 'OP10', machine: 'press-01' }],
          })
        ).status,
      ).toBe(201);
    const { path } = (await (
      await stack.post('/api/customer-tokens', { customer: 'Initech' })
    ).json()) as {
      path: string;
    };
    const customerPage = await browser.newPage();
    await customerPage.goto(`${stack.ingest.url}${path}`);
    const rows = customerPage.locator('[data-testid="track-order"]');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    expect(await rows.first().getAttribute('data-order-id')).toBe('WO-T1');
    await customerPage.close();
  });
});
