import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayConfigView } from '@takt/protocol/api';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, signedInContext } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';

/*
 * Issue 25's configuration panel (/gateways/<id>/config) in Debian's chromium on the whole
 * stack: an admin sends a YAML that fails validation and reads the validator's line and field,
 * then a valid one, which becomes version 1 in the history with its author. The agent's side is
 * covered by ingest/test/integration/gateway-config.test.ts.
 */
const GW = 'gw-demo-1';
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const saved = process.env.TAKT_CONFIG_SIGNING_KEY_FILE;

const yaml = (poll: string) =>
  [
    `gateway: { id: ${GW}, site: demo-plant }`,
    'mqtt: { url: "mqtt://127.0.0.1:1883" }',
    'devices:',
    `  - { id: d, driver: simulated, machine: m1, pollIntervalMs: ${poll}, tags: [{ name: t, channel: metric, signal: { kind: constant, value: 1 } }] }`,
    '',
  ].join('\n');

beforeAll(async () => {
  const keyFile = join(mkdtempSync(join(tmpdir(), 'takt-key-')), 'config-signing.key');
  writeFileSync(
    keyFile,
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }),
  );
  process.env.TAKT_CONFIG_SIGNING_KEY_FILE = keyFile; // what ingest reads when not given one
  stack = await startStack();
  browser = await launchBrowser();
  context = await signedInContext(browser, stack, 'admin');
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  if (saved === undefined) delete process.env.TAKT_CONFIG_SIGNING_KEY_FILE;
  else process.env.TAKT_CONFIG_SIGNING_KEY_FILE = saved;
  await browser?.close();
  await stack?.stop();
});

describe('gateway configuration panel', () => {
  it('shows a validation error with its line and field, then sends a valid config as version 1', async () => {
    await page.goto(`${stack.ingest.url}/gateways/${GW}/config?lang=en`);
    await page.locator('[data-testid="gateway-config"][data-loaded="true"]').waitFor();
    const editor = page.locator('[data-testid="gateway-config-yaml"]');

    await editor.fill(yaml('fast'));
    await page.locator('[data-testid="gateway-config"] button[type="submit"]').click();
    const notice = page.locator('[data-testid="gateway-config-notice"]');
    await notice.waitFor();
    expect(await notice.textContent()).toContain(`${GW}.yaml:4: devices.0.pollIntervalMs`);

    await editor.fill(yaml('500'));
    await page.locator('[data-testid="gateway-config"] button[type="submit"]').click();
    await page.locator('[data-testid="gateway-config-history"] tbody tr').first().waitFor();
    expect(await notice.textContent()).toContain('Version 1 sent');
    const api = (await (await stack.api(`/api/gateways/${GW}/config`)).json()) as GatewayConfigView;
    expect(api.history).toHaveLength(1);
    expect(api.yaml).toBe(yaml('500'));
    const row = page.locator('[data-testid="gateway-config-history"] tbody tr').first();
    expect(await row.locator('td').first().textContent()).toBe('1');
    expect(await row.locator('td').nth(2).textContent()).toMatch(/^admin-/);
    await screenshot(page, 'gateway-config');
  });
});
