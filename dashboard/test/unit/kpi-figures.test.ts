import { describe, expect, it } from 'vitest';
import { arrowOf, kpiPlotted, kpiText } from '../../src/boards/kpi-figures';
import { routeFor } from '../../src/lib/route';

const H = 3_600_000;

describe('kpiText', () => {
  it('writes rates in percent, scrap with one decimal', () => {
    expect(kpiText('onTimeRate', 0.875, 'en')).toBe('88 %');
    expect(kpiText('oee', 0.6149, 'zh-CN')).toBe('61 %');
    expect(kpiText('scrapRate', 0.0243, 'en')).toBe('2.4 %');
    expect(kpiText('firstPassYield', 0.8276, 'en')).toBe('82.8 %');
  });

  it('writes lead time in hours up to two days, then days, per language', () => {
    expect(kpiText('leadTimeMeanMs', 37.4 * H, 'en')).toBe('37 h');
    expect(kpiText('leadTimeMeanMs', 37.4 * H, 'zh-CN')).toBe('37 小时');
    expect(kpiText('leadTimeMeanMs', 60 * H, 'en')).toBe('2.5 d');
    expect(kpiText('leadTimeMeanMs', 60 * H, 'zh-CN')).toBe('2.5 天');
  });

  it('writes CV and output with fixed decimals, and a dash without a value', () => {
    expect(kpiText('leadTimeCv', 0.297, 'en')).toBe('0.30');
    expect(kpiText('outputPerOperatorHour', 13.44, 'en')).toBe('13.4');
    expect(kpiText('scrapRate', null, 'en')).toBe('–');
  });
});

describe('kpiPlotted and arrowOf', () => {
  it('plots rates in percent and lead time in hours', () => {
    expect(kpiPlotted('scrapRate', 0.0243)).toBe(2.4);
    expect(kpiPlotted('firstPassYield', 0.8276)).toBe(82.8);
    expect(kpiPlotted('leadTimeMeanMs', 37.44 * H)).toBe(37.4);
    expect(kpiPlotted('oee', null)).toBeNull();
  });

  it('points the way the value moved, level when the change is no change', () => {
    expect(arrowOf(0.1, true)).toBe('▲');
    expect(arrowOf(-0.1, true)).toBe('▼');
    expect(arrowOf(0.1, false)).toBe('▲');
    expect(arrowOf(0, null)).toBe('=');
    expect(arrowOf(null, null)).toBe('');
  });
});

describe('the kpis board in a URL', () => {
  it('takes kpis in a rotation, and no argument', () => {
    expect(routeFor('/board', '?show=plant,kpis&every=20')).toEqual({
      kind: 'boards',
      boards: [{ board: 'plant' }, { board: 'kpis' }],
      everyS: 20,
    });
    expect(routeFor('/board', '?show=kpis:x')).toMatchObject({ kind: 'bad-url' });
  });
});
