import { describe, expect, it } from 'vitest';
import {
  SERVER_MESSAGES,
  catalogProblems,
  defineMessages,
  formatDurationText,
  formatPlantTime,
  pickLang,
  renderMessage,
} from '../../src/messages';

const catalog = defineMessages({
  'test.late': [
    'work order {order} may miss its due date (ETA {eta}, {late} late)',
    '工单 {order} 可能延误交期（预计 {eta}，晚 {late}）',
  ],
  'test.wrapped': ['because {why}', '原因：{why}'],
});
const shanghai = { timeZone: 'Asia/Shanghai', now: Date.parse('2026-12-06T12:00:00Z') };

describe('server messages', () => {
  it('renders times in the plant zone and durations for people, in each language', () => {
    const message = {
      key: 'test.late',
      params: {
        order: 'WO-1',
        eta: { time: '2026-12-07T20:17:28.430Z' },
        late: { durationS: 12000 },
      },
    };
    expect(renderMessage(catalog, message, 'en', shanghai)).toBe(
      'work order WO-1 may miss its due date (ETA 12-08 04:17, 3 h 20 min late)',
    );
    expect(renderMessage(catalog, message, 'zh-CN', shanghai)).toBe(
      '工单 WO-1 可能延误交期（预计 12-08 04:17，晚 3 小时 20 分钟）',
    );
  });

  it('adds the year to a time outside the current one and nests messages', () => {
    expect(formatPlantTime(Date.parse('2025-01-02T00:00:00Z'), shanghai)).toBe('2025-01-02 08:00');
    const nested = {
      key: 'test.wrapped',
      params: { why: { message: { key: 'nope', params: { a: 1 } } } },
    };
    expect(renderMessage(catalog, nested, 'zh-CN', shanghai)).toBe('原因：nope a=1');
  });

  it('formats durations from seconds to days', () => {
    expect(formatDurationText(42, 'en')).toBe('42 s');
    expect(formatDurationText(3600 * 5, 'zh-CN')).toBe('5 小时');
    expect(formatDurationText(3600 * 50, 'en')).toBe('2 d 2 h');
  });

  it('picks the language from the query, then Accept-Language', () => {
    expect(pickLang('zh-CN', 'en')).toBe('zh-CN');
    expect(pickLang(undefined, 'fr;q=0.9, zh-TW;q=0.8')).toBe('zh-CN');
    expect(pickLang(undefined, undefined)).toBe('en');
  });

  it('finds placeholders that differ between languages, and none in the server catalogs', () => {
    expect(catalogProblems({ bad: ['{a} and {b}', '{a}'] })).toEqual([
      'bad: placeholders differ (a,b vs a)',
    ]);
    expect(catalogProblems(catalog)).toEqual([]);
    expect(catalogProblems(SERVER_MESSAGES)).toEqual([]);
  });
});
