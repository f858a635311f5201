import type { KpiName } from '@takt/protocol/api';
import type { Lang } from '../i18n/translate';

/** The KPI board's panels in reading order (docs/dashboard.md "Boards"). */
export const KPI_PANELS: readonly KpiName[] = [
  'onTimeRate',
  'leadTimeMeanMs',
  'leadTimeCv',
  'scrapRate',
  'firstPassYield',
  'outputPerOperatorHour',
  'oee',
];

const LEAD_UNITS = { en: { h: 'h', d: 'd' }, 'zh-CN': { h: '小时', d: '天' } } as const;

/** Lead time from across the room: whole hours up to two days, then days with one decimal. */
function leadTimeText(ms: number, lang: Lang): string {
  const hours = ms / 3_600_000;
  const u = LEAD_UNITS[lang];
  return hours < 48 ? `${Math.round(hours)} ${u.h}` : `${(hours / 24).toFixed(1)} ${u.d}`;
}

/**
 * A KPI as a wall board writes it: rates in percent (scrap with one decimal: 2.4 % and 2.9 %
 * are different weeks), lead time as a duration, CV with two decimals, output per
 * operator-hour with one. `–` without a value.
 */
export function kpiText(name: KpiName, value: number | null, lang: Lang): string {
  if (value === null) return '–';
  switch (name) {
    case 'onTimeRate':
    case 'oee':
      return `${Math.round(value * 100)} %`;
    case 'scrapRate':
    case 'firstPassYield':
      return `${(value * 100).toFixed(1)} %`;
    case 'leadTimeMeanMs':
      return leadTimeText(value, lang);
    case 'leadTimeCv':
      return value.toFixed(2);
    case 'outputPerOperatorHour':
      return value.toFixed(1);
  }
}

/** The value a chart plots: percent for rates, hours for lead time. */
export function kpiPlotted(name: KpiName, value: number | null): number | null {
  if (value === null) return null;
  if (name === 'onTimeRate' || name === 'oee' || name === 'scrapRate' || name === 'firstPassYield')
    return Math.round(value * 1000) / 10;
  if (name === 'leadTimeMeanMs') return Math.round(value / 360_000) / 10;
  return Math.round(value * 100) / 100;
}

/** ▲ up, ▼ down, = level (a change within `flat` of the value's unit). */
export function arrowOf(delta: number | null, better: boolean | null): '▲' | '▼' | '=' | '' {
  if (delta === null) return '';
  if (better === null) return '=';
  return delta > 0 ? '▲' : '▼';
}
