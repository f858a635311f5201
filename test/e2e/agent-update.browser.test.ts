import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandTopics, packageSignedText, updateCommandSchema } from '@takt/protocol';
import type { GatewayUpdate } from '@takt/protocol/api';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, signedInContext } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';

/*
 * Issue 25's "Agent update" panel on /gateways/<id> in Debian's chromium on the whole stack:
 * an admin uploads a package with its .sig file and pushes it; a client on the gateway's own
 * account plays the gateway's updater (reads the retained command, publishes steps), and the
 * panel shows each step live with the gateway's error as sent. The server side is covered by
 * ingest/test/integration/agent-updates.test.ts.
 */
const GW = 'gw-demo-1';
const SITE = 'demo-plant';
const release = generateKeyPairSync('ed25519');
const archive = randomBytes(64 * 1024);
const sha256 = createHash('sha256').update(archive).digest('hex');
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let updater: MqttClient;
const saved = process.env.TAKT_PACKAGE_SIGNING_PUB_FILE;

beforeAll(async () => {
  const keyFile = join(mkdtempSync(join(tmpdir(), 'takt-pkg-')), 'package-signing.pub');
  writeFileSync(keyFile, release.publicKey.export({ type: 'spki', format: 'pem' }));
  process.env.TAKT_PACKAGE_SIGNING_PUB_FILE = keyFile; // what ingest reads
  stack = await startStack();
  browser = await launchBrowser();
  context = await signedInContext(browser, stack, 'admin');
  page = await context.newPage();
  updater = await mqtt.connectAsync(stack.mqttUrl, {
    clientId: `takt-gw-${GW}/test-updater`,
    username: GW,
    password: stack.credentials.gateway,
  });
}, 120_000);

afterAll(async () => {
  if (saved === undefined) delete process.env.TAKT_PACKAGE_SIGNING_PUB_FILE;
  else process.env.TAKT_PACKAGE_SIGNING_PUB_FILE = saved;
  await updater?.endAsync();
  await browser?.close();
  await stack?.stop();
});

describe('agent update panel', () => {
  it('uploads a signed package, pushes it and shows each step live, in Chinese', async () => {
    // The in-process demo agent reports its architecture; the package is built for it.
    await page.goto(`${stack.ingest.url}/gateways/${GW}?lang=zh-CN`);
    await page.locator('[data-testid="gw-arch"]', { hasText: 'x64' }).waitFor();
    const panel = page.locator('[data-testid="agent-update"]');
    await panel.waitFor();
    const signature = sign(
      null,
      Buffer.from(packageSignedText('0.1.1', 'x64', sha256)),
      release.privateKey,
    );
    await page.locator('[data-testid="agent-update-archive"]').setInputFiles({
      name: 'takt-edge-0.1.1-x64.tar.gz',
      mimeType: 'application/gzip',
      buffer: archive,
    });
    await page.locator('[data-testid="agent-update-sig"]').setInputFiles({
      name: 'takt-edge-0.1.1-x64.tar.gz.sig',
      mimeType: 'application/json',
      buffer: Buffer.from(
        JSON.stringify({
          v: 1,
          version: '0.1.1',
          arch: 'x64',
          sha256,
          signature: signature.toString('base64'),
        }),
      ),
    });
    await panel.locator('button', { hasText: '上传' }).click();
    const notice = page.locator('[data-testid="agent-update-notice"]');
    await notice.filter({ hasText: '已上传 0.1.1（x64）' }).waitFor();

    const commands: unknown[] = [];
    updater.on('message', (_topic, payload) => {
      if (payload.length > 0) commands.push(JSON.parse(payload.toString('utf8')));
    });
    await updater.subscribeAsync(commandTopics.command(SITE, GW, 'update'), { qos: 1 });
    await page
      .locator('[data-testid="agent-update-package"]')
      .locator(`option[value="${sha256}"]`)
      .waitFor({ state: 'attached' });
    await page.locator('[data-testid="agent-update-push"]').click();
    await page.locator('[data-testid="agent-update-item"][data-status="sent"]').waitFor();
    await expect.poll(() => commands.length).toBe(1);
    const command = updateCommandSchema.parse(commands[0]);
    expect(command.sha256).toBe(sha256);
    const download = await fetch(command.url);
    expect(Buffer.from(await download.arrayBuffer()).equals(archive)).toBe(true);

    const result = (step: string, extra: object = {}) =>
      updater.publishAsync(
        commandTopics.commandResult(SITE, GW, 'update'),
        JSON.stringify({
          v: 1,
          ts: Date.now(),
          id: command.id,
          version: '0.1.1',
          step,
          ok: true,
          agentVersion: '0.1.0',
          ...extra,
        }),
        { qos: 1 },
      );
    await result('received');
    await result('downloaded');
    await page.locator('[data-testid="agent-update-step"][data-step="downloaded"]').waitFor();
    expect(
      await page.locator('[data-testid="agent-update-item"]').first().getAttribute('data-status'),
    ).toBe('running');
    const why = 'the new agent did not come online within 120 s';
    await result('verified');
    await result('staged');
    await result('installing');
    await result('rolled-back', { ok: false, error: why });
    await page.locator('[data-testid="agent-update-item"][data-status="rolled-back"]').waitFor();
    expect(
      await page
        .locator('[data-testid="agent-update-step"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-step'))),
    ).toEqual(['received', 'downloaded', 'verified', 'staged', 'installing', 'rolled-back']);
    expect(await page.locator('[data-testid="agent-update-error"]').textContent()).toBe(why);
    expect(await page.locator('[data-testid="agent-update-item"]').first().textContent()).toContain(
      '已回滚',
    );
    const api = (await (await stack.api(`/api/gateways/${GW}/updates`)).json()) as GatewayUpdate[];
    expect(api[0]!.requestedBy).toMatch(/^admin-|^stack-admin$/);
    await screenshot(page, 'agent-update');
  });
});
