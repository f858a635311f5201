import type { GatewaySummary } from '@takt/protocol/api';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, signedInContext } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

/*
 * Issue 25's Gateways page in Debian's chromium at 1920 × 1080 on the whole stack: the demo
 * gateway (a real edge agent on the demo's Modbus, OPC UA and scanner peers) is listed online
 * with the figures `GET /api/gateways` gives, and its detail shows its devices and tags, in
 * English and Chinese (docs/dashboard.md "Gateways").
 */
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  context = await signedInContext(browser, stack, 'admin');
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const gatewayOf = async (): Promise<GatewaySummary | undefined> => {
  const list = (await (await stack.api('/api/gateways')).json()) as GatewaySummary[];
  return list.find((g) => g.id === 'gw-demo-1');
};

describe('Gateways page', () => {
  it('lists the demo gateway online with its versions, queue, clock and devices', async () => {
    const api = await waitFor('the demo gateway online with a clock offset', async () => {
      const g = await gatewayOf();
      return g?.online && g.clockOffsetMs !== null ? g : undefined;
    });
    await page.goto(`${stack.ingest.url}/`);
    await page.locator('[data-testid="nav-gateways"]').click();
    await page.locator('[data-testid="gateways-list"][data-loaded="true"]').waitFor();
    expect(new URL(page.url()).pathname).toBe('/gateways');
    const row = page.locator('[data-testid="gw-row"][data-id="gw-demo-1"]');
    await row.waitFor();
    expect(await row.getAttribute('data-online')).toBe('true');
    expect(await row.locator('[data-testid="gw-online"]').textContent()).toBe('Online');
    expect(await row.locator('[data-testid="gw-agent-version"]').textContent()).toBe(
      api.agentVersion,
    );
    expect(await row.locator('[data-testid="gw-config-version"]').textContent()).toBe(
      api.configVersion,
    );
    expect(await row.locator('[data-testid="gw-devices"]').textContent()).toBe(
      `${api.devices.filter((d) => d.connected).length} / ${api.devices.length}`,
    );
    expect(await row.locator('[data-testid="gw-queue"]').textContent()).toMatch(/^\d+$/);
    expect(await row.locator('[data-testid="gw-clock"]').textContent()).toMatch(/^[+−]\d+ ms$/);
    expect(await row.locator('[data-testid="gw-last-seen"]').textContent()).toMatch(/s ago$/);
    await screenshot(page, 'gateways');

    await page.goto(`${stack.ingest.url}/gateways?lang=zh-CN`);
    const zhRow = page.locator('[data-testid="gw-row"][data-id="gw-demo-1"]');
    await zhRow.waitFor();
    expect(await zhRow.locator('[data-testid="gw-online"]').textContent()).toBe('在线');
    expect(await page.locator('h2').textContent()).toBe('网关');
  }, 60_000);

  it("shows a gateway's devices and its machines' tags with value and quality", async () => {
    await page.goto(`${stack.ingest.url}/gateways/gw-demo-1?lang=en`);
    await page.locator('[data-testid="gateway-detail"][data-loaded="true"]').waitFor();
    const devices = page.locator('[data-testid="gw-device"]');
    const api = (await gatewayOf())!;
    expect(await devices.count()).toBe(api.devices.length);
    const tags = page.locator('[data-testid="gw-tag"]');
    await tags.first().waitFor();
    expect(await tags.count()).toBeGreaterThan(0);
    expect(await tags.first().locator('td').nth(3).textContent()).toMatch(/^(good|uncertain|bad)$/);
    await screenshot(page, 'gateway-detail');
  }, 60_000);
});
