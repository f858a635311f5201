import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { requirePeer } from '@takt/sim';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  createLinkToken,
  createSession,
  createUser,
  DEFAULT_DASHBOARD_DIR,
  SESSION_COOKIE,
} from '@takt/ingest';
import type { Stack } from './stack';

/** Debian's chromium (apt-get install chromium), driven by playwright-core. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** One PNG per board and page (issue 8), git-ignored; `npm run test:browser` writes them. */
export const SCREENSHOTS_DIR = join(import.meta.dirname, '../../dashboard/test/screenshots');

/** A wall TV: 1080p. */
export const TV = { width: 1920, height: 1080 } as const;

export async function launchBrowser(): Promise<Browser> {
  requirePeer('chromium');
  if (!existsSync(join(DEFAULT_DASHBOARD_DIR, 'index.html')))
    throw new Error(
      `no dashboard build in ${DEFAULT_DASHBOARD_DIR}: run npm run build first (npm test does)`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/**
 * A browser context signed in as a new user of `role` (its session cookie set, as the
 * sign-in form would), at 1920×1080 unless told otherwise.
 */
export async function signedInContext(
  browser: Browser,
  stack: Stack,
  role: 'admin' | 'manager' | 'maintenance' | 'operator' = 'manager',
  viewport: { width: number; height: number } = TV,
): Promise<BrowserContext> {
  const name = `${role}-${Math.random().toString(36).slice(2, 8)}`;
  const user = await createUser(stack.ingest.pool, name, role, `pw-${name}-long-enough`);
  const { token } = await createSession(stack.ingest.pool, user!.id, 3_600_000);
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'UTC' });
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: stack.ingest.url }]);
  return context;
}

/** A kiosk link's URL fragment (`#kiosk=<token>`) for a board URL, as a TV would bookmark it. */
export async function kioskHash(stack: Stack, label = 'test TV'): Promise<string> {
  const { token } = await createLinkToken(stack.ingest.pool, {
    kind: 'kiosk',
    label,
    createdBy: null,
  });
  return `#kiosk=${token}`;
}

/** Saves `<name>.png` of the page's viewport under dashboard/test/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const path = join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
