/**
 * The report's image, drawn on the server (docs/decisions.md "Issue 19 — reports that come to
 * people"): ECharts' server-side SVG renderer (no DOM, no browser) rasterised to PNG by resvg.
 * CJK text needs a font file: Debian's fonts-wqy-microhei (print/pdf.ts), else resvg's
 * system fonts, and the missing font is logged once.
 */
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import type { MessageLang } from '@takt/protocol';
import type { Logger } from 'pino';
import { CJK_FONT_PATH } from '../print/pdf';
import { reasonLabel, reportTitle, reportWindow, text, type ReportContent } from './content';
import type { PlantModel } from '@takt/protocol';

export const IMAGE_WIDTH = 1200;
export const IMAGE_HEIGHT = 720;
const FONT_FAMILY = 'WenQuanYi Micro Hei';

/** The font files to draw with: the CJK face when it is installed. */
export interface ChartFonts {
  files: string[];
}

export function chartFonts(log: Pick<Logger, 'warn'>, path = CJK_FONT_PATH): ChartFonts {
  if (existsSync(path)) return { files: [path] };
  log.warn(
    { font: path },
    'no CJK font for report images: install fonts-wqy-microhei; Chinese letters may not show',
  );
  return { files: [] };
}

const LOSSES = [
  'breakdowns',
  'setups',
  'smallStops',
  'reducedSpeed',
  'startupRejects',
  'productionRejects',
] as const;
const LOSS_COLORS = ['#d9534f', '#f0ad4e', '#f7d358', '#9b59b6', '#5bc0de', '#95a5a6'];
const hours = (ms: number) => Math.round((ms / 3_600_000) * 100) / 100;

/** The ECharts option: OEE and losses per machine, top stops, good output against target. */
export function reportOption(
  content: ReportContent,
  lang: MessageLang,
  plant: PlantModel | undefined,
  now?: number,
): echarts.EChartsCoreOption {
  const t = (key: string) => text({ key }, lang);
  const names = content.machines.map((m) => m.name);
  const loss = (name: (typeof LOSSES)[number]) =>
    content.machines.map((m) => hours(m.figures.losses?.[`${name}Ms`] ?? 0));
  const stops = [...content.stops].reverse();
  return {
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: FONT_FAMILY },
    animation: false,
    title: [
      {
        text: reportTitle(content, lang),
        subtext: reportWindow(content, lang, now),
        left: 24,
        top: 12,
      },
      { text: t('report.chart.losses'), left: 24, top: 84, textStyle: { fontSize: 14 } },
      { text: t('report.chart.stops'), left: 640, top: 84, textStyle: { fontSize: 14 } },
      { text: t('report.chart.output'), left: 640, top: 400, textStyle: { fontSize: 14 } },
    ],
    legend: { top: 680, left: 24, itemWidth: 14, textStyle: { fontSize: 11 } },
    grid: [
      { left: 110, top: 120, width: 470, bottom: 60, containLabel: false },
      { left: 800, top: 120, width: 360, height: 240 },
      { left: 700, top: 440, width: 460, height: 200 },
    ],
    xAxis: [
      { gridIndex: 0, type: 'value', name: 'h' },
      { gridIndex: 1, type: 'value' },
      { gridIndex: 2, type: 'category', data: names },
    ],
    yAxis: [
      { gridIndex: 0, type: 'category', data: names, inverse: true },
      {
        gridIndex: 1,
        type: 'category',
        data: stops.map((s) => reasonLabel(plant, s.reason, lang)),
        axisLabel: { width: 150, overflow: 'truncate' },
      },
      { gridIndex: 2, type: 'value' },
    ],
    series: [
      {
        name: t('report.fullyProductive'),
        type: 'bar',
        stack: 'time',
        xAxisIndex: 0,
        yAxisIndex: 0,
        itemStyle: { color: '#2e8b57' },
        data: content.machines.map((m) => hours(m.figures.losses?.fullyProductiveMs ?? 0)),
        label: {
          show: true,
          formatter: (p: { dataIndex: number }) => {
            const oee = content.machines[p.dataIndex]?.figures.oee;
            return oee === null || oee === undefined ? '' : `${Math.round(oee * 100)} %`;
          },
          color: '#fff',
        },
      },
      ...LOSSES.map((name, i) => ({
        name: t(`report.loss.${name}`),
        type: 'bar',
        stack: 'time',
        xAxisIndex: 0,
        yAxisIndex: 0,
        itemStyle: { color: LOSS_COLORS[i] },
        data: loss(name),
      })),
      {
        type: 'bar',
        xAxisIndex: 1,
        yAxisIndex: 1,
        itemStyle: { color: '#d9534f' },
        data: stops.map((s) => Math.round(s.durationMs / 60_000)),
        label: { show: true, position: 'right' },
      },
      {
        name: t('report.col.good'),
        type: 'bar',
        xAxisIndex: 2,
        yAxisIndex: 2,
        itemStyle: { color: '#337ab7' },
        data: content.machines.map((m) => m.figures.goodCount),
      },
      {
        name: t('report.col.target'),
        type: 'bar',
        xAxisIndex: 2,
        yAxisIndex: 2,
        itemStyle: { color: '#cccccc' },
        data: content.machines.map((m) => m.target ?? 0),
      },
    ],
  };
}

/** The option as an SVG string, by ECharts' server-side renderer (no DOM). */
export function reportSvg(option: echarts.EChartsCoreOption): string {
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: IMAGE_WIDTH,
    height: IMAGE_HEIGHT,
  });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** The SVG as a PNG, at its own size. */
export function svgToPng(svg: string, fonts: ChartFonts): Buffer {
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    font: {
      fontFiles: fonts.files,
      // Without the CJK file, resvg looks among the system's fonts (and says so in the log).
      loadSystemFonts: fonts.files.length === 0,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
  });
  return resvg.render().asPng();
}

/** The report's image as PNG bytes. */
export function reportPng(
  content: ReportContent,
  lang: MessageLang,
  plant: PlantModel | undefined,
  fonts: ChartFonts,
  now?: number,
): Buffer {
  return svgToPng(reportSvg(reportOption(content, lang, plant, now)), fonts);
}
