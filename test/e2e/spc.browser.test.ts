import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpcChart } from '@takt/protocol/api';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { launchBrowser, screenshot, signedInContext } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';

/*
 * Issue 23's SPC page in Debian's chromium at 1920 × 1080 on the whole stack: the demo plant
 * with one X̄–R characteristic, 25 in-control subgroups of 5 and a last one far above the
 * mean posted through POST /api/measurements; the chart marks the last point with rule we1
 * as GET /api/spc/<id> reports it, the capability panel shows the API's figures, and a
 * manager freezes the limits (phase I → II) from the page.
 */
const ID = 'shaft-diameter';
const H = 3_600_000;
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

function spcPlant(): string {
  const plant = parse(
    readFileSync(join(import.meta.dirname, '../../ingest/plant/demo-plant.yaml'), 'utf8'),
  ) as Record<string, unknown>;
  plant.quality = {
    characteristics: [
      {
        id: ID,
        name: 'Shaft diameter',
        unit: 'mm',
        nominal: 25,
        lsl: 24.95,
        usl: 25.05,
        chart: 'xbar-r',
        subgroupSize: 5,
        rules: ['we1', 'we2', 'we3', 'we4'],
        machine: 'cnc-01',
      },
    ],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'takt-spc-')), 'plant.yaml');
  writeFileSync(file, stringify(plant));
  return file;
}

/** Deterministic scatter in ±0.01 mm (a linear congruential sequence, seed fixed). */
function scatter(count: number): number[] {
  let x = 12345;
  return Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return Math.round(((x / 2 ** 31) * 0.02 - 0.01) * 1000) / 1000;
  });
}

async function postSubgroups() {
  const noise = scatter(26 * 5);
  const start = Date.now() - 30 * H;
  for (let i = 0; i < 26; i++) {
    const shift = i === 25 ? 0.04 : 0; // the last subgroup far above: beyond the UCL
    const values = noise
      .slice(i * 5, i * 5 + 5)
      .map((v) => Math.round((25 + v + shift) * 1000) / 1000);
    const response = await stack.post('/api/measurements', {
      characteristic: ID,
      values,
      at: new Date(start + i * H).toISOString(),
      workOrder: 'WO-SPC-1',
    });
    expect(response.status, await response.clone().text()).toBe(201);
  }
}

const chartApi = async (): Promise<SpcChart> =>
  (await (await stack.api(`/api/spc/${ID}?lang=en`)).json()) as SpcChart;

beforeAll(async () => {
  stack = await startStack({ plantFile: spcPlant() });
  await postSubgroups();
  browser = await launchBrowser();
  context = await signedInContext(browser, stack, 'manager');
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('SPC page', () => {
  it('lists the characteristic with its Cpk and links to its chart', async () => {
    const api = await chartApi();
    await page.goto(`${stack.ingest.url}/spc?lang=en`);
    const row = page.locator(`[data-testid="spc-row"][data-id="${ID}"]`);
    await row.waitFor();
    expect(await row.locator('[data-testid="spc-cpk"]').textContent()).toBe(api.cpk!.toFixed(2));
    await row.locator('a').click();
    await page.locator('[data-testid="spc-page"][data-loaded="true"]').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/spc/${ID}`);
  });

  it('marks the last subgroup with rule we1, as the API reports it, beside the R chart', async () => {
    await page.goto(`${stack.ingest.url}/spc/${ID}?lang=en`);
    await page.locator('[data-testid="spc-page"][data-loaded="true"]').waitFor();
    const api = await chartApi();
    expect(api.points).toHaveLength(26);
    expect(api.violations).toContainEqual(expect.objectContaining({ rule: 'we1', index: 25 }));
    const chart = page.locator('[data-testid="spc-control-chart"]');
    expect(await chart.getAttribute('data-violations')).toBe(
      api.violations.map((v) => `${v.rule}@${v.index}`).join(' '),
    );
    expect(Number(await chart.getAttribute('data-ucl'))).toBe(api.ucl);
    const marked = page.locator('[data-testid="spc-violation"][data-rule="we1"][data-index="25"]');
    expect(await marked.textContent()).toContain('WE1: beyond 3σ');
    expect(await page.locator('[data-testid="spc-range-chart"]').getAttribute('data-center')).toBe(
      String(api.rangeCenter),
    );
    expect(await page.locator('[data-testid="spc-phase"]').getAttribute('data-phase')).toBe('I');
    await screenshot(page, 'spc-xbar-r');
  });

  it('shows Cp, Cpk, Pp, Ppk with their intervals and the histogram with its normality note', async () => {
    const api = await chartApi();
    for (const k of ['cp', 'cpk', 'pp', 'ppk'] as const) {
      const cell = page.locator(`[data-testid="spc-index"][data-index="${k}"]`);
      expect(await cell.locator('.spc-index__value').textContent()).toBe(api[k]!.toFixed(2));
      expect(await cell.locator('.spc-index__ci').textContent()).toBe(
        `95 % CI ${api.ci[k]![0].toFixed(2)} – ${api.ci[k]![1].toFixed(2)}`,
      );
    }
    expect(await page.locator('[data-testid="spc-normality"]').textContent()).toBe(
      api.histogram.normality!.note,
    );
    await page.locator('[data-testid="spc-capability"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'spc-capability');
  });

  it('freezes the limits from the window with a reason (phase II)', async () => {
    await page
      .locator('[data-testid="spc-freeze"] input')
      .fill('first 26 subgroups after the new insert');
    await page.locator('[data-testid="spc-freeze"] button').click();
    await page.locator('[data-testid="spc-phase"][data-phase="II"]').waitFor();
    const api = await chartApi();
    expect(api.baseline?.reason).toBe('first 26 subgroups after the new insert');
    expect(await page.locator('[data-testid="spc-phase"]').textContent()).toContain(
      'first 26 subgroups after the new insert',
    );
  });

  it('reads in Chinese', async () => {
    await page.goto(`${stack.ingest.url}/spc/${ID}?lang=zh-CN`);
    await page.locator('[data-testid="spc-page"][data-loaded="true"]').waitFor();
    expect(
      await page.locator('[data-testid="spc-violation"][data-rule="we1"]').first().textContent(),
    ).toContain('WE1：超出 3σ');
    expect(await page.locator('[data-testid="spc-phase"]').textContent()).toContain('第二阶段');
    await screenshot(page, 'spc-zh-CN');
  });
});
