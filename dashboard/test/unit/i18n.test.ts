import { describe, expect, it } from 'vitest';
import { initialLang, MESSAGE_KEYS, translate } from '../../src/i18n';

describe('i18n', () => {
  it('has every label in both languages, with the same placeholders', () => {
    for (const key of MESSAGE_KEYS) {
      const en = translate('en', key);
      const zh = translate('zh-CN', key);
      expect(en.trim(), key).not.toBe('');
      expect(zh.trim(), key).not.toBe('');
      const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(holes(zh), key).toEqual(holes(en));
    }
  });

  it('fills in values', () => {
    expect(translate('en', 'page.workOrder', { id: 'WO-7' })).toBe('Work order WO-7');
    expect(translate('zh-CN', 'page.workOrder', { id: 'WO-7' })).toBe('工单 WO-7');
  });

  it('starts in the URL language, else the stored one, else the browser one', () => {
    expect(initialLang('?lang=zh-CN', 'en', 'en-US')).toBe('zh-CN');
    expect(initialLang('?lang=fr', 'zh-CN', 'en-US')).toBe('zh-CN');
    expect(initialLang('', null, 'zh-TW')).toBe('zh-CN');
    expect(initialLang('', null, 'de-DE')).toBe('en');
  });
});
