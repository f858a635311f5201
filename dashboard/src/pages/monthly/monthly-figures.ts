/**
 * The monthly page's figures as the screen writes them (docs/decisions.md "Issue 19 —
 * reports through the channel queue; the monthly page"): pure; test/e2e/monthly.browser.test.ts
 * restates them to compare the page with `GET /api/reports/monthly`.
 */
import type { MonthlyReport } from '@takt/protocol/api';
import { percent } from '../../lib/percent';

export type MonthlyFigure = 'oee' | 'availability' | 'performance' | 'quality' | 'goodCount';
export const MONTHLY_FIGURES: readonly MonthlyFigure[] = [
  'oee',
  'availability',
  'performance',
  'quality',
  'goodCount',
];

/** A month's figure: a percent, or good parts as a count; the dash when unknown. */
export function figureText(figure: MonthlyFigure, value: number | null): string {
  if (value === null) return '—';
  return figure === 'goodCount' ? Math.round(value).toLocaleString('en-US') : percent(value);
}

/** The change from last month: percentage points for ratios, a signed count for good parts. */
export function changeText(figure: MonthlyFigure, v: MonthlyReport['oee']): string {
  if (v.this === null || v.last === null) return '—';
  const sign = (n: number) => (n > 0 ? `+${n}` : String(n));
  if (figure === 'goodCount') return sign(Math.round(v.this - v.last));
  return `${sign(Math.round((v.this - v.last) * 100))} pt`;
}

/** Hours with one decimal, as the charts and tables show losses. */
export const hours = (ms: number) => (ms / 3_600_000).toFixed(1);

/** The month a plant clock is in, YYYY-MM. */
export function plantMonth(epochMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
  }).formatToParts(epochMs);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}`;
}
