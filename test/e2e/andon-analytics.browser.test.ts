import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, signedInContext } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

/*
 * Issue 17, andon response times on the analytics page, on the whole stack (docs/decisions.md
 * "Issue 17 — andon calls"): a station's andon scan on the demo gateway's scan topic opens
 * the call, a responder acknowledges and clears it, and the chart shows its times; an operator
 * is told the times are for responders, and the rest of the page still loads.
 */
let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startStack();
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await stack?.stop();
});

interface Alert {
  id: number;
  rule: string;
  subject: string;
  status: string;
}

async function page(role: 'maintenance' | 'operator'): Promise<Page> {
  const context = await signedInContext(browser, stack, role);
  contexts.push(context);
  return context.newPage();
}

describe('andon response times on /analytics', () => {
  it('charts a call acknowledged and cleared, per call type', async () => {
    await stack.publishScan('press-01', {
      code: 'ANDON:maintenance',
      action: 'andon',
      reason: 'maintenance',
    });
    const alert = await waitFor('the andon alert', async () => {
      const open = (await (await stack.api('/api/alerts?status=open')).json()) as Alert[];
      return open.find((a) => a.rule === 'andon-maintenance' && a.subject === 'press-01');
    });
    expect((await stack.post(`/api/alerts/${alert.id}/ack`, {})).status).toBe(200);
    expect((await stack.post(`/api/alerts/${alert.id}/clear`, {})).status).toBe(200);

    const p = await page('maintenance');
    await p.goto(`${stack.ingest.url}/analytics`);
    const chart = p.locator('[data-testid="andon-response-times"]');
    const rows = await waitFor('the andon chart', async () => {
      const data = await chart.getAttribute('data-andon');
      const parsed = data ? (JSON.parse(data) as { call: string; count: number }[]) : [];
      return parsed.length > 0 ? parsed : undefined;
    });
    expect(rows).toEqual([
      expect.objectContaining({ call: 'maintenance', label: 'Maintenance', count: 1 }),
    ]);
    expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
    await chart.scrollIntoViewIfNeeded();
    await screenshot(p, 'page-analytics-andon');
  });

  it('tells an operator the times are for responders; the rest of the page loads', async () => {
    const p = await page('operator');
    await p.goto(`${stack.ingest.url}/analytics`);
    const status = p.locator('[data-testid="analytics-status"]');
    await expect.poll(() => status.getAttribute('data-loading'), { timeout: 20_000 }).toBe('false');
    expect(await status.textContent()).toBe('');
    await p.getByText('Response times are shown to managers and maintenance.').waitFor();
    expect(await p.locator('[data-testid="six-big-losses"] canvas').count()).toBeGreaterThan(0);
  });
});
