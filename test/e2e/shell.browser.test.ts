/**
 * The dashboard's platform in a real browser against a real stack (issue 8): bad URLs and
 * dead links show a plain message, a dropped live connection shows the stale banner and
 * comes back live with a fresh snapshot, the language switch, and the customer's tracking
 * page on a phone.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinkToken } from '@takt/ingest';
import { launchBrowser, screenshot, signedInContext } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

const PLANT_ZONE = 'Asia/Shanghai'; // ingest/plant/demo-plant.yaml
const PHONE = { width: 390, height: 844 } as const;

let stack: Stack;
let browser: Browser;

/**
 * A TCP proxy in front of ingest that can cut every connection and refuse new ones, then
 * let them through again: the browser's real socket.io connection drops as on a dead switch.
 */
async function startCutProxy(target: number) {
  const sockets = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((client) => {
    if (cut) return client.destroy();
    const upstream = connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut() {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      cut = false;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const plainMessage = (page: Page) => page.locator('[data-testid="plain-message"]');
const status = (page: Page) =>
  page.locator('[data-testid="connection-status"]').getAttribute('data-status');

/** HH:MM on the plant's clock, for now and a minute ago (a test may straddle a minute). */
function plantMinutes(): string[] {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: PLANT_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return [Date.now(), Date.now() - 60_000].map((ms) => f.format(ms));
}

beforeAll(async () => {
  browser = await launchBrowser(); // first: it says so when there is no dashboard build
  stack = await startStack();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('bad input shows a plain message, never a blank page', () => {
  it('names an unknown board, an unknown line (with the lines there are) and a missing page', async () => {
    const context = await signedInContext(browser, stack);
    const page = await context.newPage();
    await page.goto(`${stack.ingest.url}/board?show=plant,nope`);
    await expect
      .poll(() => plainMessage(page).textContent(), { timeout: 15_000 })
      .toContain('unknown board "nope"');
    // The header stays: the TV still says where it is and whether it is live.
    await page.locator('[data-testid="connection-status"]').waitFor();
    await screenshot(page, 'board-bad-url');

    await page.goto(`${stack.ingest.url}/board?show=line:line-z`);
    await expect
      .poll(() => plainMessage(page).textContent(), { timeout: 15_000 })
      .toMatch(/no line "line-z".*line-a, line-b/);

    await page.goto(`${stack.ingest.url}/no-such-page`);
    await expect
      .poll(() => plainMessage(page).textContent(), { timeout: 15_000 })
      .toContain('there is no page at /no-such-page');
    await context.close();

    // The links page is for admins and managers: an operator is told, not shown a blank.
    const operator = await signedInContext(browser, stack, 'operator');
    const operatorPage = await operator.newPage();
    await operatorPage.goto(`${stack.ingest.url}/access`);
    await expect
      .poll(() => plainMessage(operatorPage).textContent(), { timeout: 15_000 })
      .toContain('may not open this page');
    expect(await operatorPage.locator('[data-testid="access-link"]').count()).toBe(0);
    await operator.close();
  });

  it('turns a TV whose kiosk link is revoked into a plain message, at once and on reload', async () => {
    const { token, record } = await createLinkToken(stack.ingest.pool, {
      kind: 'kiosk',
      label: 'revoked TV',
      createdBy: null,
    });
    const tv = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await tv.goto(`${stack.ingest.url}/#kiosk=${token}`);
    await expect.poll(() => status(tv), { timeout: 15_000 }).toBe('live');
    expect((await stack.api(`/api/kiosk-tokens/${record.id}`, { method: 'DELETE' })).status).toBe(
      200,
    );
    await expect
      .poll(() => plainMessage(tv).textContent(), { timeout: 15_000 })
      .toContain('board link is not valid');
    expect(await tv.locator('[data-testid="machine-tile"]').count()).toBe(0);
    await tv.reload();
    await expect
      .poll(() => plainMessage(tv).textContent(), { timeout: 15_000 })
      .toContain('board link is not valid');
    await tv.close();
  });
});

describe('a lost live connection', () => {
  it('shows the stale banner with the time of the last data, then a fresh snapshot live', async () => {
    const proxy = await startCutProxy(stack.ingest.port);
    const context = await signedInContext(browser, stack);
    const page = await context.newPage();
    const press = stack.sim.machines.get('press-01')!;
    try {
      await page.goto(`${proxy.url}/`);
      await expect.poll(() => status(page), { timeout: 15_000 }).toBe('live');
      const tile = page.locator('[data-testid="machine-tile"][data-machine-id="press-01"]');
      await expect.poll(() => tile.getAttribute('data-state'), { timeout: 15_000 }).toBe('running');
      expect(await page.locator('[data-testid="connection-banner"]').count()).toBe(0);

      proxy.cut();
      const banner = page.locator('[data-testid="connection-banner"]');
      await expect.poll(() => banner.getAttribute('data-status'), { timeout: 15_000 }).toBe('lost');
      expect(await status(page)).toBe('lost');
      const text = (await banner.textContent())!;
      expect(text).toMatch(/Live connection lost — showing data from \d\d:\d\d:\d\d/);
      expect(plantMinutes().some((hhmm) => text.includes(`from ${hhmm}:`))).toBe(true);
      // The tiles stay on screen (old data, said so), not a blank page.
      expect(await page.locator('[data-testid="machine-tile"]').count()).toBe(4);
      await screenshot(page, 'board-connection-lost');

      // While the screen is cut off the press goes down: only a fresh snapshot can tell it.
      press.pin({ ...press.values(), state: 'down' });
      await waitFor('press-01 down in ingest', async () => {
        const machines = (await (await stack.api('/api/machines')).json()) as {
          id: string;
          state: string;
        }[];
        return machines.find((m) => m.id === 'press-01')?.state === 'down' ? true : undefined;
      });
      expect(await tile.getAttribute('data-state')).toBe('running');

      proxy.restore();
      await expect.poll(() => status(page), { timeout: 20_000 }).toBe('live');
      expect(await banner.count()).toBe(0);
      await expect.poll(() => tile.getAttribute('data-state'), { timeout: 10_000 }).toBe('down');
    } finally {
      press.release();
      await context.close();
      await proxy.stop();
    }
  });
});

describe('language', () => {
  it('switches to 中文 on the spot, keeps it on reload, and lang= in the URL wins', async () => {
    const context = await signedInContext(browser, stack);
    const page = await context.newPage();
    await page.goto(`${stack.ingest.url}/`);
    const nav = page.locator('[data-testid="nav"]');
    await expect.poll(() => nav.textContent(), { timeout: 15_000 }).toContain('Analytics');
    await expect
      .poll(() => page.locator('[data-testid="connection-status"]').textContent(), {
        timeout: 15_000,
      })
      .toBe('Live');

    await page.locator('[data-testid="lang-switch"]').click();
    await expect.poll(() => nav.textContent()).toContain('分析');
    expect(await nav.textContent()).not.toContain('Analytics');
    expect(await page.locator('[data-testid="connection-status"]').textContent()).toBe('实时');
    expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');

    await page.reload();
    await expect.poll(() => nav.textContent(), { timeout: 15_000 }).toContain('分析');

    await page.goto(`${stack.ingest.url}/?lang=en`);
    await expect.poll(() => nav.textContent(), { timeout: 15_000 }).toContain('Analytics');
    await context.close();
  });

  it('puts the switch on the sign-in page too', async () => {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    await page.goto(`${stack.ingest.url}/?lang=zh-CN`);
    const form = page.locator('[data-testid="login-form"]');
    await expect.poll(() => form.textContent(), { timeout: 15_000 }).toContain('密码');
    await screenshot(page, 'page-login-zh');
    await page.locator('[data-testid="lang-switch"]').click();
    await expect.poll(() => form.textContent()).toContain('Password');
    await screenshot(page, 'page-login');
    await context.close();
  });
});

describe('the customer tracking page', () => {
  const DUE = '2030-03-01T08:00:00Z'; // 16:00 in Shanghai

  it("shows on a phone only the customer's orders: stage, progress, due in the plant's zone, history", async () => {
    for (const [id, customer] of [
      ['WO-P1', 'Initech'],
      ['WO-P2', 'Initech'],
      ['WO-P3', 'Umbrella'],
    ])
      expect(
        (
          await stack.post('/api/work-orders', {
            id,
            product: 'bracket-b12',
            quantity: 40,
            customer,
            dueAt: DUE,
            operations: [
              { id: 'OP10', machine: 'press-01' },
              { id: 'OP20', machine: 'press-02' },
            ],
          })
        ).status,
      ).toBe(201);
    await stack.publishScan('press-01', {
      code: 'WO-P1|OP10',
      workOrder: 'WO-P1',
      operation: 'OP10',
      action: 'start',
    });
    await waitFor('WO-P1 OP10 running', async () => {
      const order = (await (await stack.api('/api/work-orders/WO-P1')).json()) as {
        operations: { status: string }[];
      };
      return order.operations[0]?.status === 'running' ? true : undefined;
    });
    const { path } = (await (
      await stack.post('/api/customer-tokens', { customer: 'Initech' })
    ).json()) as {
      path: string;
    };

    // A phone abroad: its own zone and language do not change the plant's times.
    const context = await browser.newContext({
      viewport: PHONE,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'en-US',
      timezoneId: 'America/New_York',
    });
    const phone = await context.newPage();
    await phone.goto(`${stack.ingest.url}${path}`);
    const cards = phone.locator('[data-testid="track-order"]');
    await expect.poll(() => cards.count(), { timeout: 15_000 }).toBe(2);
    expect(
      await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-order-id'))),
    ).toEqual(['WO-P1', 'WO-P2']);
    expect(await phone.locator('body').textContent()).not.toContain('WO-P3');

    const p1 = phone.locator('[data-testid="track-order"][data-order-id="WO-P1"]');
    expect(await p1.getAttribute('data-status')).toBe('in_progress');
    expect(await p1.locator('[data-testid="track-stage"]').textContent()).toBe(
      'OP10 · in progress',
    );
    expect(await p1.locator('[data-testid="track-due"]').textContent()).toBe('2030-03-01 16:00');
    expect(
      await p1.locator('[data-testid="track-progress"]').getAttribute('aria-valuenow'),
    ).toMatch(/^\d+$/);
    expect(await phone.locator('[data-testid="track-zone"]').getAttribute('data-time-zone')).toBe(
      PLANT_ZONE,
    );
    await p1.locator('summary').click();
    const history = p1.locator('[data-testid="track-history"] li');
    await expect
      .poll(() => history.allTextContents())
      .toEqual([
        expect.stringContaining('Order received'),
        expect.stringContaining('OP10 started'),
      ]);

    // No sideways scrolling on a 390 px phone.
    const widths = (await phone.evaluate(
      '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
    )) as [number, number];
    expect(widths[0]).toBeLessThanOrEqual(widths[1]);
    await screenshot(phone, 'page-track-phone');

    await phone.locator('[data-testid="lang-switch"]').click();
    await expect.poll(() => p1.getAttribute('data-status')).toBe('in_progress');
    expect(await phone.locator('main h1').textContent()).toContain('Initech 的订单');
    expect(await p1.locator('[data-testid="track-stage"]').textContent()).toBe('OP10 · 进行中');
    await context.close();
  });

  it('answers an expired and a revoked link with a plain message', async () => {
    const expired = await createLinkToken(stack.ingest.pool, {
      kind: 'customer',
      label: 'Initech',
      customer: 'Initech',
      createdBy: null,
      expiresAt: new Date(Date.now() - 60_000),
    });
    const revoked = (await (
      await stack.post('/api/customer-tokens', { customer: 'Initech' })
    ).json()) as {
      id: number;
      path: string;
    };
    expect(
      (await stack.api(`/api/customer-tokens/${revoked.id}`, { method: 'DELETE' })).status,
    ).toBe(200);
    // A page each: between two /track#… links only the fragment differs, which a browser
    // takes as a jump inside the same page, not a new page.
    for (const path of [`/track#${expired.token}`, revoked.path]) {
      const phone = await browser.newPage({ viewport: PHONE });
      await phone.goto(`${stack.ingest.url}${path}`);
      await expect
        .poll(() => plainMessage(phone).textContent(), { timeout: 15_000 })
        .toContain('tracking link is not valid');
      expect(await phone.locator('[data-testid="track-order"]').count()).toBe(0);
      await phone.close();
    }
  });
});
