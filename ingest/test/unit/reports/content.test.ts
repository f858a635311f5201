import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  chartFonts,
  IMAGE_HEIGHT,
  IMAGE_WIDTH,
  reportPng,
  reportSvg,
  reportOption,
} from '../../../src/reports/chart';
import {
  lateLines,
  reportTable,
  reportTitle,
  reportWindow,
  targetOf,
  topStops,
} from '../../../src/reports/content';
import { CONTENT, figures } from './fixture';

const NOW = Date.parse('2026-11-20T08:00:00Z');

describe('report content', () => {
  it('merges stops by reason, longest first, at most five', () => {
    const stops = topStops([
      { reason: 'a', durationMs: 10, stops: 1 },
      { reason: 'b', durationMs: 30, stops: 1 },
      { reason: 'a', durationMs: 25, stops: 2 },
      ...['c', 'd', 'e', 'f'].map((reason) => ({ reason, durationMs: 5, stops: 1 })),
      { reason: 'g', durationMs: 0, stops: 0 },
    ]);
    expect(stops.map((s) => s.reason)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(stops[0]).toEqual({ reason: 'a', durationMs: 35, stops: 3 });
  });

  it('finds the target the ideal cycle allows, and none without it', () => {
    expect(targetOf(figures({ availability: 0.5, performance: 0.5, totalCount: 100 }))).toBe(400);
    expect(targetOf(figures({ performance: null }))).toBeNull();
  });

  it('writes the title, window, table and late orders in the plant time and the language', () => {
    expect(reportTitle(CONTENT, 'en')).toBe('Plant · shift report · Early 2026-11-20');
    expect(reportTitle(CONTENT, 'zh-CN')).toBe('Plant · 班次报告 · 2026-11-20 Early');
    expect(reportWindow(CONTENT, 'en', NOW)).toBe('11-20 06:00 – 11-20 14:00');
    const en = reportTable(CONTENT, 'en');
    expect(en.head[0]).toBe('Machine');
    expect(en.rows).toHaveLength(3);
    expect(en.rows[0]).toEqual([
      'Press A',
      '69.0 %',
      '85.7 %',
      '83.3 %',
      '97.2 %',
      '17500',
      '21600',
      '500',
      '1 h',
    ]);
    expect(en.rows[1]![1]).toBe('–');
    expect(en.rows[2]![0]).toBe('All machines');
    expect(reportTable(CONTENT, 'zh-CN').head[0]).toBe('设备');
    expect(lateLines(CONTENT, 'zh-CN', NOW)).toEqual([
      'WO-1（part）交期 11-20 12:00，已完成 40/100',
    ]);
  });
});

describe('report image', () => {
  it('draws the chart as SVG with the labels in the language', () => {
    const svg = reportSvg(reportOption(CONTENT, 'zh-CN', undefined, NOW));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('班次报告');
    expect(svg).toContain('未说明');
  });

  it('rasterises it to a PNG of the set size', () => {
    const png = reportPng(CONTENT, 'zh-CN', undefined, chartFonts(pino({ level: 'silent' })), NOW);
    expect(png.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    expect(png.readUInt32BE(16)).toBe(IMAGE_WIDTH);
    expect(png.readUInt32BE(20)).toBe(IMAGE_HEIGHT);
  });
});
