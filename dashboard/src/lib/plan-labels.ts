/**
 * The Gantt's and the load chart's words in the screen's language (dashboard/src/i18n/
 * planning.ts), with times on the plant's clock and durations as the server writes them.
 */
import { formatDurationText } from '@takt/protocol/messages';
import type { Lang, MessageKey, Vars } from '../i18n/translate';
import type { GanttLabels, LoadLabels } from './plan-chart';
import { plantDateTime } from './plant-time';

type T = (key: MessageKey, vars?: Vars) => string;

/** "+3 h 20 min" / "+3 小时 20 分钟". */
export function delayText(byMs: number, lang: Lang): string {
  return `+${formatDurationText(byMs / 1000, lang)}`;
}

export function ganttLabels(t: T, lang: Lang, timeZone: string): GanttLabels {
  const at = (ms: number) => plantDateTime(ms, timeZone);
  return {
    now: t('plan.now'),
    promised: t('plan.promised'),
    newOrder: t('plan.new'),
    due: (order) => t('plan.due', { order }),
    bar: (bar) =>
      [
        t('plan.tooltip', {
          order: bar.order,
          operation: bar.operation,
          machine: bar.machine,
          product: bar.product,
          remaining: bar.remaining,
          from: at(bar.fromMs),
          to: at(bar.toMs),
          p10: at(bar.p10Ms),
          p90: at(bar.p90Ms),
        }),
        ...(bar.running ? [t('plan.running')] : []),
        ...(bar.changeoverMs > 0
          ? [t('plan.changeover', { time: formatDurationText(bar.changeoverMs / 1000, lang) })]
          : []),
        ...(bar.delayedByMs !== null
          ? [`${t('plan.legend.delayed')} ${delayText(bar.delayedByMs, lang)}`]
          : []),
      ].join('<br/>'),
    ghost: (g) =>
      `${t('plan.new')} · ${g.operation} · ${g.machine}<br/>${at(g.fromMs)} – ${at(g.toMs)}`,
  };
}

export function loadLabels(t: T): LoadLabels {
  return { booked: t('plan.booked'), available: t('plan.available'), hours: t('plan.hours') };
}
