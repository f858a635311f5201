import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEdgeAgent, type RunningEdgeAgent } from '@takt/edge-agent';
import { createSession, createUser, SESSION_COOKIE } from '@takt/ingest';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser';
import { parse, stringify } from 'yaml';
import {
  LOOPBACK_WEBHOOKS,
  startSmtpReceiver,
  startWebhookReceiver,
} from '../../ingest/test/helpers/receivers';
import { testLog } from '../helpers/logger';
import { startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

const root = join(import.meta.dirname, '../..');
const SECRET = 'hook-secret-for-tests';

let stack: Stack;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let clockOffsetMs = 0;
let restartedEdge: RunningEdgeAgent | undefined;
let browser: Browser;
let page: Page;

interface Alert {
  id: number;
  rule: string;
  subject: string;
  severity: string;
  status: string;
  openedAt: string;
  acknowledgedBy: string | null;
  ackComment: string | null;
  clearedBy: string | null;
}

beforeAll(async () => {
  hook = await startWebhookReceiver();
  smtp = await startSmtpReceiver();
  // The demo plant with rules that tell the test's webhook receiver and SMTP server.
  const plant = parse(readFileSync(join(root, 'ingest/plant/demo-plant.yaml'), 'utf8')) as Record<
    string,
    unknown
  >;
  plant.alerts = {
    channels: [
      {
        id: 'hook',
        type: 'webhook',
        format: 'generic',
        urlEnv: 'TEST_HOOK_URL',
        secretEnv: 'TEST_HOOK_SECRET',
      },
      {
        id: 'mail',
        type: 'email',
        from: 'takt@plant.example',
        to: ['maintenance@plant.example'],
        smtp: { host: '127.0.0.1', port: smtp.port },
      },
    ],
    rules: [
      {
        id: 'hot-press',
        name: 'Press 01 too hot',
        kind: 'threshold',
        machines: ['press-01'],
        tag: 'temperature',
        above: 80,
        forS: 1,
        clearMargin: 5,
        severity: 'critical',
        notify: ['hook', 'mail'],
      },
      { id: 'stalled', kind: 'work-order-stalled', forH: 2, notify: ['hook', 'mail'] },
      { id: 'gateway-down', kind: 'gateway-offline', forS: 0, notify: ['hook', 'mail'] },
    ],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'takt-alerts-')), 'plant.yaml');
  writeFileSync(file, stringify(plant));
  stack = await startStack({
    plantFile: file,
    alerts: {
      now: () => Date.now() + clockOffsetMs,
      tickMs: 200,
      pollMs: 300,
      delivery: { attempts: 3, baseDelayMs: 100, timeoutMs: 3000 },
      env: { ...LOOPBACK_WEBHOOKS, TEST_HOOK_URL: hook.url, TEST_HOOK_SECRET: SECRET },
    },
  });
  // The wall board's andon, in Debian's chromium (as board.browser.test.ts runs it).
  browser = await launchBrowser();
  page = await signedInPage(stack.adminToken, { width: 1920, height: 1080 });
  await page.goto(stack.ingest.url);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await restartedEdge?.stop();
  await stack?.stop();
  await hook?.stop();
  await smtp?.stop();
});

/** A maintenance user of that name, signed in (who acknowledges is who is signed in). */
const sessions = new Map<string, string>();
async function tokenOf(name: string): Promise<string> {
  if (!sessions.has(name)) {
    const user = await createUser(stack.ingest.pool, name, 'maintenance', 'x');
    sessions.set(name, (await createSession(stack.ingest.pool, user!.id, 3_600_000)).token);
  }
  return sessions.get(name)!;
}

/** A browser page signed in with that session (the HttpOnly cookie the sign-in page sets). */
async function signedInPage(token: string, viewport?: { width: number; height: number }) {
  const context = await browser.newContext(viewport ? { viewport } : {});
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: stack.ingest.url }]);
  return context.newPage();
}

const api = async <T>(path: string, body?: unknown): Promise<{ status: number; body: T }> => {
  const by = (body as { by?: string } | undefined)?.by;
  const authorization = `Bearer ${by ? await tokenOf(by) : stack.adminToken}`;
  const response = await fetch(`${stack.ingest.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined
      ? { headers: { authorization } }
      : {
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
  });
  return { status: response.status, body: (await response.json()) as T };
};

const alertsOf = async (rule: string, status?: string) =>
  (await api<Alert[]>(`/api/alerts${status ? `?status=${status}` : ''}`)).body.filter(
    (a) => a.rule === rule,
  );

/** What the receivers got about one alert: [webhook events], [mail events]. */
const heard = (id: number) => ({
  hook: hook.received
    .map((r) => r.json as { event: string; alert: { id: number } })
    .filter((m) => m.alert.id === id)
    .map((m) => m.event),
  mail: smtp.received
    .filter((m) => m.header('x-takt-alert') === String(id))
    .map((m) => m.header('x-takt-event')),
});

const settle = () => new Promise((r) => setTimeout(r, 1500));

describe('alerts end to end: sim -> edge -> broker -> ingest -> webhook and e-mail', () => {
  it('a hot press opens one alert, told once to each channel; ack; cooling past the margin clears it', async () => {
    const plc = stack.sim.machines.get('press-01')!;
    const base = plc.values();
    plc.pin({ ...base, temperatureC: 95 });
    const [alert] = await waitFor('the hot-press alert', async () => {
      const open = await alertsOf('hot-press', 'open');
      return open.length > 0 ? open : undefined;
    });
    expect(alert).toMatchObject({
      rule: 'hot-press',
      subject: 'press-01',
      severity: 'critical',
      status: 'open',
    });
    await waitFor('both messages', () => {
      const h = heard(alert!.id);
      return h.hook.length === 1 && h.mail.length === 1 ? true : undefined;
    });
    const andon = page.locator(`[data-testid="andon-alert"][data-alert-id="${alert!.id}"]`);
    await andon.waitFor({ timeout: 10_000 });
    expect(await andon.textContent()).toContain('press-01 temperature');
    mkdirSync(join(root, 'dashboard/test/screenshots'), { recursive: true });
    await page.screenshot({ path: join(root, 'dashboard/test/screenshots/andon-strip.png') });
    await settle(); // still hot: no second alert, no second message
    expect(await alertsOf('hot-press')).toHaveLength(1);
    expect(heard(alert!.id)).toEqual({ hook: ['opened'], mail: ['opened'] });

    // The webhook is signed: HMAC-SHA256 over "<timestamp>.<body>".
    const request = hook.received.find(
      (r) => (r.json as { alert: { id: number } }).alert.id === alert!.id,
    )!;
    const expected = createHmac('sha256', SECRET)
      .update(`${request.headers['x-takt-timestamp']}.${request.body}`)
      .digest('hex');
    expect(request.headers['x-takt-signature']).toBe(`sha256=${expected}`);
    const mail = smtp.received.find((m) => m.header('x-takt-alert') === String(alert!.id))!;
    expect(mail.to).toEqual(['maintenance@plant.example']);
    expect(mail.subject).toContain('[CRITICAL]');

    const ack = await api<Alert>(`/api/alerts/${alert!.id}/ack`, {
      by: 'wang.fang',
      comment: 'on my way',
    });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'wang.fang',
      ackComment: 'on my way',
    });
    expect((await api(`/api/alerts/${alert!.id}/ack`, { by: 'x' })).status).toBe(409);

    await page.waitForSelector(
      `[data-testid="andon-alert"][data-alert-id="${alert!.id}"][data-status="acknowledged"]`,
      { timeout: 10_000 },
    );

    plc.pin({ ...base, temperatureC: 77 }); // below the limit, inside the 5 degree margin
    await settle();
    expect((await alertsOf('hot-press'))[0]!.status).toBe('acknowledged');

    plc.pin({ ...base, temperatureC: 70 });
    const cleared = await waitFor('the alert to clear', async () => {
      const [a] = await alertsOf('hot-press');
      return a?.status === 'cleared' ? a : undefined;
    });
    expect(cleared.clearedBy).toBe('condition');
    await andon.waitFor({ state: 'detached', timeout: 10_000 }); // gone from the andon
    await waitFor('the clear notices', () => {
      const h = heard(alert!.id);
      return h.hook.length === 2 && h.mail.length === 2 ? h : undefined;
    });
    expect(heard(alert!.id)).toEqual({ hook: ['opened', 'cleared'], mail: ['opened', 'cleared'] });
    plc.release();

    const csv = await (await stack.api('/api/alerts/export')).text();
    expect(csv.split('\r\n')[0]).toBe(
      'time,event,alert_id,rule,subject,severity,by,message,comment,detail',
    );
    expect(csv).toContain(`acknowledged,${alert!.id},hot-press,press-01,critical,wang.fang`);
  });

  it('a work order without a good piece for 2 hours (ingest clock moved) alerts, and clears when it moves', async () => {
    const created = await stack.api('/api/work-orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'WO-STALL-1',
        product: 'housing-h7',
        quantity: 100,
        operations: [{ id: 'OP10', machine: 'assembly-01' }],
      }),
    });
    expect(created.status).toBe(201);
    await stack.publishScan('assembly-01', {
      code: 'WO-STALL-1|OP10',
      workOrder: 'WO-STALL-1',
      operation: 'OP10',
      action: 'start',
    });
    await waitFor('the order to run', async () => {
      const order = (await (await stack.api('/api/work-orders/WO-STALL-1')).json()) as {
        status: string;
      };
      return order.status === 'in_progress' ? true : undefined;
    });
    await settle();
    expect(await alertsOf('stalled')).toEqual([]); // just started: not stalled

    clockOffsetMs = 2 * 3_600_000 + 60_000;
    const [alert] = await waitFor('the stalled alert', async () => {
      const open = await alertsOf('stalled', 'open');
      return open.length > 0 ? open : undefined;
    });
    expect(alert!.subject).toBe('WO-STALL-1');
    await waitFor('both messages', () => {
      const h = heard(alert!.id);
      return h.hook.length === 1 && h.mail.length === 1 ? true : undefined;
    });
    await settle();
    expect(await alertsOf('stalled')).toHaveLength(1);

    // Acknowledged from the maintenance view in the browser, as a technician would.
    const maintenance = await signedInPage(await tokenOf('li.na'));
    await maintenance.goto(`${stack.ingest.url}/maintenance`);
    // No name to type: the page acts as the signed-in user.
    const row = maintenance.locator(
      `[data-testid="maintenance-alert"][data-alert-id="${alert!.id}"]`,
    );
    await row.getByLabel('Comment').fill('material on its way');
    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await maintenance.waitForSelector(
      `[data-testid="maintenance-alert"][data-alert-id="${alert!.id}"][data-status="acknowledged"]`,
      { timeout: 10_000 },
    );
    expect((await alertsOf('stalled'))[0]).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'li.na',
      ackComment: 'material on its way',
    });
    await maintenance.close();
    clockOffsetMs = 0; // back to now: the order started minutes ago, it is not stalled
    await waitFor('the stalled alert to clear', async () => {
      const [a] = await alertsOf('stalled');
      return a?.status === 'cleared' ? a : undefined;
    });
    await waitFor('the clear notices', () => {
      const h = heard(alert!.id);
      return h.hook.length === 2 && h.mail.length === 2 ? true : undefined;
    });
    expect(heard(alert!.id)).toEqual({ hook: ['opened', 'cleared'], mail: ['opened', 'cleared'] });
  });

  it('the gateway going offline (clean stop, then killed: its last will) alerts once each time; back online clears', async () => {
    const openAlert = async (known: number[]) =>
      waitFor('a gateway-offline alert', async () => {
        const open = (await alertsOf('gateway-down', 'open')).filter((a) => !known.includes(a.id));
        return open.length > 0 ? open[0] : undefined;
      });
    const clearedWithNotices = async (id: number) => {
      await waitFor(
        'the gateway-offline alert to clear',
        async () => {
          const a = (await alertsOf('gateway-down')).find((x) => x.id === id);
          return a?.status === 'cleared' ? a : undefined;
        },
        30_000,
      );
      await waitFor('the clear notices', () => {
        const h = heard(id);
        return h.hook.length === 2 && h.mail.length === 2 ? true : undefined;
      });
      expect(heard(id)).toEqual({ hook: ['opened', 'cleared'], mail: ['opened', 'cleared'] });
    };

    await stack.edge.stop(); // a clean stop publishes `offline` itself
    const stopped = await openAlert([]);
    expect(stopped.subject).toBe('gw-demo-1');
    await waitFor('both messages', () => {
      const h = heard(stopped.id);
      return h.hook.length === 1 && h.mail.length === 1 ? true : undefined;
    });
    const ack = await api(`/api/alerts/${stopped.id}/ack`, {
      by: 'li.na',
      comment: 'checking the Pi',
    });
    expect(ack.status).toBe(200);

    // The agent as its own process (as on the Pi), reading one press.
    const dir = mkdtempSync(join(tmpdir(), 'takt-edge-kill-'));
    const file = join(dir, 'gateway.yaml');
    const press = stack.gateway.devices.find((d) => d.machine === 'press-01')!;
    writeFileSync(
      file,
      stringify({ ...stack.gateway, stateDir: join(dir, 'state'), devices: [press] }),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', 'edge-agent/src/main.ts', file], {
      cwd: root,
      env: { ...process.env, TAKT_MQTT_PASSWORD: stack.credentials.gateway, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    try {
      await clearedWithNotices(stopped.id); // its birth says online

      child.kill('SIGKILL'); // no goodbye: the broker publishes the last will
      const killed = await openAlert([stopped.id]);
      await waitFor('both messages', () => {
        const h = heard(killed.id);
        return h.hook.length === 1 && h.mail.length === 1 ? true : undefined;
      });
      await settle();
      expect(await alertsOf('gateway-down', 'open')).toHaveLength(1);

      restartedEdge = await startEdgeAgent(stack.gateway, {
        password: stack.credentials.gateway,
        log: testLog,
      });
      await clearedWithNotices(killed.id);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
