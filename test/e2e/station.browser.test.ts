import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { requirePeer } from '@takt/sim';
import { CHROMIUM, screenshot, signedInContext } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';
import { writeBarcodeVideo } from './fake-camera';

/**
 * The operator station `/station/<id>` on a phone and a tablet against the real stack
 * (docs/dashboard.md "Station"): badge in, a wedge scan, start, pieces, a stop explained, an
 * andon call acknowledged on /maintenance, actions made offline, a code read by the camera.
 */
const root = join(import.meta.dirname, '../..');
const STATION = 'bench-02';
const PHONE = { width: 390, height: 844 } as const;
const TABLET = { width: 1280, height: 800 } as const;
const tmp = mkdtempSync(join(tmpdir(), 'takt-station-'));

/** The demo plant round the clock (planned time now, for the Pareto), with a hand station. */
function stationPlant(): string {
  const plant = parse(readFileSync(join(root, 'ingest/plant/demo-plant.yaml'), 'utf8')) as Record<
    string,
    unknown
  >;
  plant.shifts = [
    { id: 'night', name: 'Night', start: '00:00', end: '08:00' },
    { id: 'day', name: 'Day', start: '08:00', end: '16:00' },
    { id: 'evening', name: 'Evening', start: '16:00', end: '00:00' },
  ];
  plant.holidays = [];
  // Press 02's stops count as downtime from 1 s (not microstops), so a short test stop is one.
  const lines = plant.lines as { machines: { id: string; microstopThresholdS?: number }[] }[];
  lines.flatMap((l) => l.machines).find((m) => m.id === 'press-02')!.microstopThresholdS = 1;
  // A bench beside press 02: pieces reported by hand, the press's stops explained here.
  plant.stations = {
    promptAfterS: 1,
    list: [{ id: STATION, name: 'Bench 02', machine: 'press-02', line: 'line-a' }],
  };
  const file = join(tmp, 'plant.yaml');
  writeFileSync(file, stringify(plant));
  return file;
}

let stack: Stack;
let browser: Browser;
let phone: BrowserContext;
let page: Page;
let stationPath: string;

const view = async () =>
  (await (await stack.api(`/api/stations/${STATION}`)).json()) as {
    order: { workOrder: string; good: number; rejected: number; status: string } | null;
  };

beforeAll(async () => {
  stack = await startStack({ plantFile: stationPlant() });
  requirePeer('chromium');
  const video = join(tmp, 'traveller.y4m');
  await writeBarcodeVideo(video, 'WO-7002|OP10', 'qrcode');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      // A camera that shows the traveller's code (a secure page may open it).
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  expect(
    (await stack.post('/api/operators', { badge: '4711', name: 'Li Na', pin: '2468' })).status,
  ).toBe(201);
  for (const id of ['WO-7001', 'WO-7002'])
    expect(
      (
        await stack.post('/api/work-orders', {
          id,
          product: 'bracket-b12',
          quantity: 20,
          operations: [{ id: 'OP10', machine: STATION }],
        })
      ).status,
    ).toBe(201);
  const link = await stack.post('/api/station-tokens', { station: STATION, label: 'bench tablet' });
  expect(link.status).toBe(201);
  stationPath = ((await link.json()) as { path: string }).path;
  expect(stationPath).toMatch(new RegExp(`^/station/${STATION}#station=tkst_`));
  phone = await browser.newContext({ viewport: PHONE, locale: 'en-US', timezoneId: 'UTC' });
  page = await phone.newPage();
  await page.goto(`${stack.ingest.url}${stationPath}`);
  await page.locator('[data-testid="station-page"]').waitFor({ timeout: 20_000 });
});

afterAll(async () => {
  stack?.sim.machines.get('press-02')?.release();
  await browser?.close();
  await stack?.stop();
});

/** A keyboard-wedge scanner: the code's keys a few µs apart, then Enter, with no text box focused. */
async function wedgeScan(code: string) {
  // A string: this file is compiled without the DOM's types.
  await page.evaluate(`(() => {
    document.activeElement?.blur();
    for (const key of ${JSON.stringify([...code, 'Enter'])})
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
  })()`);
}

describe('operator station (issue 17)', () => {
  it('badges in with a PIN and starts an order from a wedge scan, then pauses and starts again', async () => {
    await page.locator('[data-testid="station-pin"]').fill('2468');
    await page.locator('[data-testid="station-pin-submit"]').click();
    await page
      .locator('[data-testid="station-operator"][data-badge="4711"]')
      .waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="station-operator"]').textContent()).toContain('Li Na');

    await wedgeScan('WO-7001|OP10');
    await page
      .locator('[data-testid="station-order"][data-status="running"]')
      .waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="station-order-id"]').textContent()).toBe('WO-7001');

    await page.locator('[data-testid="station-pause"]').click();
    await page
      .locator('[data-testid="station-order"][data-status="paused"]')
      .waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="station-start"]').click();
    await page
      .locator('[data-testid="station-order"][data-status="running"]')
      .waitFor({ timeout: 15_000 });
    expect((await view()).order).toMatchObject({ workOrder: 'WO-7001', status: 'running' });
    // Nothing wider than the phone: no sideways scrolling at 390 px.
    expect(
      await page.evaluate(
        "(() => { const s = document.querySelector('.station'); return s.scrollWidth - s.clientWidth; })()",
      ),
    ).toBe(0);
    await screenshot(page, 'station-phone');
  });

  it('reports 5 good and 1 reject with its reason', async () => {
    await page.locator('[data-testid="station-quantity"]').fill('5');
    await page.locator('[data-testid="station-add-good"]').click();
    await page.locator('[data-testid="station-good"][data-good="5"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="station-quantity"]').fill('1');
    await page.locator('[data-testid="station-add-reject"]').click();
    await page.locator('[data-testid="station-reject-reason"][data-reason="burr"]').click();
    await page
      .locator('[data-testid="station-rejected"][data-rejected="1"]')
      .waitFor({ timeout: 15_000 });
    const now = (await view()).order!;
    expect(now.rejected).toBe(1);
    // A hand station: a reject is a piece of its own, not one taken from the good.
    expect(now.good).toBe(5);
    const events = await page
      .locator('[data-testid="station-event"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-code')));
    expect(events).toEqual(expect.arrayContaining(['QTY:5', 'REJ:1:burr']));
  });

  it('refuses an unknown code with a translated message', async () => {
    await page.locator('[data-testid="station-typed-code"]').fill('NONSENSE-42');
    await page.locator('[data-testid="station-typed-send"]').click();
    const refused = page.locator(
      '[data-testid="station-event"][data-kind="refused"][data-code="NONSENSE-42"]',
    );
    await refused.waitFor({ timeout: 15_000 });
    expect(await refused.getAttribute('data-refusal')).toBe('unknown-code');
    expect(await refused.textContent()).toContain('this code is not one the station knows');
    // The server's detail, rendered from its message key in the screen's language.
    expect(await refused.textContent()).toContain('unknown code "NONSENSE-42"');
  });

  it('asks why the machine stopped and gives that stop its reason after the restart', async () => {
    const press = stack.sim.machines.get('press-02')!;
    const from = new Date(Date.now() - 60_000).toISOString();
    press.pin({ ...press.values(), state: 'down' });
    const prompt = page.locator('[data-testid="station-stop-prompt"]');
    await prompt.waitFor({ timeout: 30_000 });
    await screenshot(page, 'station-reason');
    // The machine runs again before anyone answers: the answer still goes to that stop.
    press.release();
    const stopStart = await prompt.getAttribute('data-stop');
    await page.locator('[data-testid="station-stop-group"][data-reason="mechanical"]').click();
    await page.locator('[data-testid="station-stop-reason"][data-reason="10"]').click();
    await prompt.waitFor({ state: 'detached', timeout: 15_000 });
    await page
      .locator('[data-testid="station-event"][data-kind="reason"]', { hasText: 'Hydraulics' })
      .waitFor({ timeout: 15_000 });
    let last: unknown;
    const reasons = await waitFor('the reason in the downtime Pareto', async () => {
      const to = new Date(Date.now() + 1_000).toISOString();
      const r = (await (
        await stack.api(`/api/downtime?machine=press-02&from=${from}&to=${to}`)
      ).json()) as { reasons: { reason: string }[] };
      last = r.reasons;
      return r.reasons.some((x) => x.reason === '10') ? r.reasons : undefined;
    }).catch((error: Error) => {
      throw new Error(`${error.message}; the Pareto: ${JSON.stringify(last)}`);
    });
    expect(reasons.map((r) => r.reason)).toContain('10');
    expect(stopStart).not.toBeNull();
  }, 90_000);

  it('calls maintenance, and shows who acknowledged the call on /maintenance', async () => {
    await page.locator('[data-testid="station-andon-call"][data-call="maintenance"]').click();
    await page
      .locator('[data-testid="station-andon-call"][data-call="maintenance"][data-state="called"]')
      .waitFor({ timeout: 15_000 });
    const open = (await (await stack.api('/api/alerts?status=open')).json()) as {
      rule: string;
      subject: string;
    }[];
    expect(open).toEqual(
      expect.arrayContaining([expect.objectContaining({ rule: 'andon-maintenance' })]),
    );
    const desk = await signedInContext(browser, stack, 'maintenance', TABLET);
    const maintenance = await desk.newPage();
    await maintenance.goto(`${stack.ingest.url}/maintenance`);
    const row = maintenance
      .locator('[data-testid="maintenance-alert"][data-status="open"]')
      .filter({ hasText: STATION })
      .first();
    await row.waitFor({ timeout: 20_000 });
    await row.getByRole('button', { name: 'Acknowledge' }).click();
    const acked = page.locator(
      '[data-testid="station-andon-call"][data-call="maintenance"][data-state="acknowledged"]',
    );
    await acked.waitFor({ timeout: 15_000 });
    expect(await acked.textContent()).toMatch(/acknowledged by maintenance-\w+/);
    await screenshot(page, 'station-andon');
    await desk.close();
  });

  it('keeps three actions made offline and applies exactly three when back', async () => {
    const countQty = async () => {
      const { rows } = await stack.ingest.pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM scans WHERE station_id = $1 AND code = 'QTY:1' AND gateway_id LIKE 'web:%'",
        [STATION],
      );
      return Number(rows[0]!.n);
    };
    const before = await countQty();
    const goodBefore = (await view()).order!.good;
    await phone.setOffline(true);
    await page.locator('[data-testid="station-quantity"]').fill('1');
    for (let i = 0; i < 3; i++) await page.locator('[data-testid="station-add-good"]').click();
    await page
      .locator('[data-testid="station-outbox"][data-waiting="3"]')
      .waitFor({ timeout: 10_000 });
    await screenshot(page, 'station-offline');
    await phone.setOffline(false);
    await page
      .locator('[data-testid="station-outbox"][data-waiting="0"]')
      .waitFor({ timeout: 40_000 });
    await page
      .locator(`[data-testid="station-good"][data-good="${goodBefore + 3}"]`)
      .waitFor({ timeout: 15_000 });
    expect((await countQty()) - before).toBe(3);
    // A reload sends nothing again: a marker scan after it lands, and still three.
    await page.reload();
    await page.locator('[data-testid="station-page"]').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="station-typed-code"]').fill('QTY:2');
    await page.locator('[data-testid="station-typed-send"]').click();
    await page
      .locator(`[data-testid="station-good"][data-good="${goodBefore + 5}"]`)
      .waitFor({ timeout: 15_000 });
    expect((await countQty()) - before).toBe(3);
  });

  it('applies an action once when its answer is lost, and keeps it across a reload', async () => {
    const countQty3 = async () => {
      const { rows } = await stack.ingest.pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM scans WHERE station_id = $1 AND code = 'QTY:3'",
        [STATION],
      );
      return Number(rows[0]!.n);
    };
    const goodBefore = (await view()).order!.good;
    // The scans reach ingest, but every answer is lost on the way back.
    const scans = `${stack.ingest.url}/api/stations/${STATION}/scans`;
    let posts = 0;
    await page.route(scans, async (route) => {
      posts += 1;
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.locator('[data-testid="station-quantity"]').fill('3');
    for (let i = 0; i < 2; i++) await page.locator('[data-testid="station-add-good"]').click();
    await waitFor('two stored scans and a retry', async () =>
      (await countQty3()) === 2 && posts >= 3 ? true : undefined,
    );
    await page.locator('[data-testid="station-outbox"][data-waiting="2"]').waitFor();
    // A reload while they wait: the same two are still there, sent again, stored once.
    await page.reload();
    await page
      .locator('[data-testid="station-outbox"][data-waiting="2"]')
      .waitFor({ timeout: 20_000 });
    await page.unroute(scans);
    await page
      .locator('[data-testid="station-outbox"][data-waiting="0"]')
      .waitFor({ timeout: 40_000 });
    await page
      .locator(`[data-testid="station-good"][data-good="${goodBefore + 6}"]`)
      .waitFor({ timeout: 15_000 });
    expect(await countQty3()).toBe(2);
    expect((await view()).order!.good).toBe(goodBefore + 6);
  }, 90_000);

  it('reads a traveller from the camera on a tablet at http://localhost', async () => {
    const tablet = await browser.newContext({
      viewport: TABLET,
      locale: 'en-US',
      timezoneId: 'UTC',
      permissions: ['camera'],
    });
    const screen = await tablet.newPage();
    // Only the station's pages may use the camera (ingest/src/auth/headers.ts); the boards not.
    const local = stack.ingest.url.replace('127.0.0.1', 'localhost');
    const served = await fetch(`${local}/station/${STATION}`);
    expect(served.headers.get('permissions-policy')).toContain('camera=(self)');
    const board = await fetch(`${local}/board`);
    expect(board.headers.get('permissions-policy')).toContain('camera=()');
    await screen.goto(`${local}${stationPath}`);
    // `?tablet=1`: a new document (the same URL again would only move to its fragment).
    await screen.goto(
      `${local}/station/${STATION}?tablet=1${stationPath.slice(stationPath.indexOf('#'))}`,
    );
    await screen.locator('[data-testid="station-page"]').waitFor({ timeout: 20_000 });
    expect(await screen.evaluate('window.isSecureContext')).toBe(true);
    await screenshot(screen, 'station-tablet');
    await screen.locator('[data-testid="station-camera-toggle"]').click();
    await screen
      .locator('[data-testid="station-order-id"]', { hasText: 'WO-7002' })
      .waitFor({ timeout: 30_000 })
      .catch(async (error: Error) => {
        await screenshot(screen, 'station-camera-failed');
        const camera = await screen
          .locator('[data-testid="station-camera"]')
          .getAttribute('data-state');
        const events = await screen.locator('[data-testid="station-event"]').allTextContents();
        throw new Error(`${error.message}; camera ${camera}; events ${JSON.stringify(events)}`);
      });
    expect((await view()).order).toMatchObject({ workOrder: 'WO-7002', status: 'running' });
    expect(
      await screen.locator('[data-testid="station-camera-decoder"]').getAttribute('data-decoder'),
    ).toMatch(/^(native|zxing)$/);
    await tablet.close();
  }, 90_000);

  it('speaks Chinese', async () => {
    await page.goto(
      `${stack.ingest.url}/station/${STATION}?lang=zh-CN${stationPath.slice(stationPath.indexOf('#'))}`,
    );
    await page.locator('[data-testid="station-page"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('.station__title').textContent()).toBe('工位 Bench 02');
    expect(await page.locator('[data-testid="station-start"]').textContent()).toMatch(/开始|继续/);
    // A refusal reads in Chinese too, its detail from the message key.
    const refused = page.locator(
      '[data-testid="station-event"][data-kind="refused"][data-code="NONSENSE-42"]',
    );
    await refused.first().waitFor({ timeout: 15_000 });
    expect(await refused.first().textContent()).toContain('未知条码 "NONSENSE-42"');
    await screenshot(page, 'station-zh');
  });
});
