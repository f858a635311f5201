import type { Browser, BrowserContext, Page } from 'playwright-core';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, signedInContext } from '../helpers/browser';
import { startStack, type Stack } from '../helpers/stack';

/*
 * The Import page on the whole stack (docs/decisions.md "Issue 20 — the Import page, exports
 * and order status webhooks"): a Kingdee export saved by Chinese Excel (GBK) with one bad
 * row previews with that row's error named by row and column in the screen's language; a
 * confirm imports nothing until "import the valid rows" is chosen, then the valid orders exist.
 */
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const KINGDEE = iconv.encode(
  [
    '单据编号,物料编码,物料名称,数量,计划完工时间,客户',
    'WO-K1,bracket-b12,支架,120,2026/12/20,华东机械',
    'WO-K2,housing-h7,外壳,80,2026/12/22,华东机械',
    'WO-K3,bracket-b12,支架,一百,2026/12/23,华东机械',
  ].join('\r\n'),
  'gbk',
);

beforeAll(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  context = await signedInContext(browser, stack, 'manager');
  page = await context.newPage();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
});

async function preview(lang: 'zh-CN' | 'en') {
  await page.goto(`${stack.ingest.url}/orders/import?lang=${lang}`);
  await page.locator('[data-testid="import-mapping"] option[value="kingdee"]').waitFor({
    state: 'attached',
    timeout: 15_000,
  });
  await page.locator('[data-testid="import-file"]').setInputFiles({
    name: 'kingdee-export.csv',
    mimeType: 'text/csv',
    buffer: KINGDEE,
  });
  const refused = page.locator('[data-testid="import-row-refused"]');
  await refused.waitFor({ timeout: 15_000 });
  return refused;
}

describe('the Import page', () => {
  it('previews a GBK Kingdee export with its bad row named in Chinese, then in English', async () => {
    const zh = await preview('zh-CN');
    expect(await zh.count()).toBe(1);
    const zhText = await zh.innerText();
    expect(zhText).toContain('4'); // the file's line: the header is 1
    expect(zhText).toContain('WO-K3');
    expect(zhText).toContain('数量'); // the column, as the file names it
    expect(await page.locator('[data-testid="import-row"]').count()).toBe(2);
    expect(await page.locator('[data-testid="import-counts"]').innerText()).toMatch(/GB(K|18030)/);
    expect(await page.locator('[data-testid="import-confirm"]').isDisabled()).toBe(true);
    await screenshot(page, 'import-preview-zh');

    const en = await preview('en');
    const enText = await en.innerText();
    expect(enText).toContain('数量');
    expect(enText).not.toBe(zhText); // the message is in the screen's language
    expect(await en.locator('.import__error').innerText()).toMatch(/[a-z]{3}/);
    await screenshot(page, 'import-preview');
  });

  it('imports the valid rows only when asked, and the orders exist', async () => {
    await preview('en');
    expect((await stack.api('/api/work-orders/WO-K1')).status).toBe(404); // a preview commits nothing
    await page.locator('[data-testid="import-valid-rows"]').check();
    await page.locator('[data-testid="import-confirm"]').click();
    await page.locator('[data-testid="import-done"]').waitFor({ timeout: 15_000 });
    const k1 = (await (await stack.api('/api/work-orders/WO-K1')).json()) as {
      quantity: number;
      customer: string;
      operations: { id: string; machine: string }[];
    };
    expect(k1).toMatchObject({ quantity: 120, customer: '华东机械' });
    expect(k1.operations.map((o) => o.machine)).toEqual(['press-01', 'assembly-01']);
    expect((await stack.api('/api/work-orders/WO-K2')).status).toBe(200);
    expect((await stack.api('/api/work-orders/WO-K3')).status).toBe(404);
  });
});
