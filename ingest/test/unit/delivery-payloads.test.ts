import { alertsConfigSchema, type PlantModel, type WebhookChannel } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import { webhookBody, type AlertNotice } from '../../src/alerts/delivery/formats';
import { cutUtf8, digestPayload, WECOM_MARKDOWN_BYTES } from '../../src/alerts/delivery/payloads';
import { onCallMobiles } from '../../src/alerts/delivery/roster';

const channel = (format: WebhookChannel['format']): WebhookChannel => ({
  id: `c-${format}`,
  type: 'webhook',
  format,
  urlEnv: 'X',
});

const notice = (message: string, mentions: string[] = []): AlertNotice => ({
  event: 'opened',
  site: '一号工厂',
  ruleName: '温度过高',
  at: '2026-12-07T08:00:00.000Z',
  mentions,
  alert: {
    id: 7,
    rule: 'hot',
    subject: 'press-01',
    severity: 'critical',
    status: 'open',
    openedAt: '2026-12-07T08:00:00.000Z',
    value: 91,
    message,
    acknowledgedAt: null,
    acknowledgedBy: null,
    ackComment: null,
    clearedAt: null,
    clearedBy: null,
    escalatedAt: null,
    deliveryFailed: false,
    messageKey: 'legacy.text',
    messageParams: { text: message },
  },
});

const body = (format: WebhookChannel['format'], n: AlertNotice) =>
  JSON.parse(webhookBody(channel(format), n)) as unknown;

describe('WeCom markdown within 4096 bytes', () => {
  it('cuts UTF-8 on a character boundary, never inside a CJK character, emoji or entity', () => {
    const text = '温度😀'.repeat(600) + '&amp;';
    for (const max of [4096, 4095, 4094, 4093, 100, 7]) {
      const cut = cutUtf8(text, max);
      const bytes = Buffer.from(cut, 'utf8');
      expect(bytes.length).toBeLessThanOrEqual(max);
      expect(bytes.toString('utf8')).toBe(cut); // whole code points: no U+FFFD, no lone surrogate
      expect(cut).not.toMatch(/[\uD800-\uDBFF]…$/);
      expect(cut.endsWith('…')).toBe(true);
      expect(text.startsWith(cut.slice(0, -1))).toBe(true);
    }
    expect(cutUtf8('短', 4096)).toBe('短');
    expect(cutUtf8('a&amp;b', 6)).toBe('a…');
  });

  it('sends a long Chinese alert as WeCom markdown of at most 4096 bytes, headed and quoted', () => {
    const content = (
      body('wecom', notice('压力机温度过高'.repeat(400))) as {
        msgtype: string;
        markdown: { content: string };
      }
    ).markdown.content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(WECOM_MARKDOWN_BYTES);
    expect(Buffer.byteLength(content, 'utf8')).toBeGreaterThan(WECOM_MARKDOWN_BYTES - 8);
    expect(content.startsWith('### <font color="warning">')).toBe(true);
    // WeCom renders headings, bold, quotes and <font>, not lists.
    expect(content.split('\n').some((l) => l.startsWith('- '))).toBe(false);
    // WeCom speaks zh-CN unless the channel says otherwise (docs/config-reference.md).
    const short = (body('wecom', notice('温度 91')) as { markdown: { content: string } }).markdown
      .content;
    expect(short).toContain('> **对象**: press-01');
  });
});

describe('on-call @mentions', () => {
  it('DingTalk: at.atMobiles and @mobile in the text; WeCom: a text message with mentioned_mobile_list', () => {
    const mobiles = ['13800000001', '13900000002'];
    const ding = body('dingtalk', notice('温度 91', mobiles)) as {
      markdown: { text: string };
      at: { atMobiles: string[]; isAtAll: boolean };
    };
    expect(ding.at).toEqual({ atMobiles: mobiles, isAtAll: false });
    expect(ding.markdown.text).toContain('@13800000001 @13900000002');
    const wecom = body('wecom', notice('温度 91', mobiles)) as {
      msgtype: string;
      text: { content: string; mentioned_mobile_list: string[] };
    };
    expect(wecom.msgtype).toBe('text');
    expect(wecom.text.mentioned_mobile_list).toEqual(mobiles);
    expect(wecom.text.content).toContain('温度 91');
    // No roster match: no mention, markdown as usual.
    expect(body('wecom', notice('温度 91'))).toMatchObject({ msgtype: 'markdown' });
    expect((body('dingtalk', notice('x')) as { at: { atMobiles: string[] } }).at.atMobiles).toEqual(
      [],
    );
  });

  it('takes the mobiles from the roster by line and alert kind', () => {
    const alerts = alertsConfigSchema.parse({
      onCall: [
        { lines: ['line-a'], kinds: ['machine-down'], mobiles: ['13800000001'] },
        { lines: ['line-a'], mobiles: ['13800000002'] },
        { kinds: ['gateway-offline'], mobiles: ['+86-13900000003'] },
      ],
    });
    const plant = {
      alerts,
      lines: [
        { id: 'line-a', machines: [{ id: 'press-01' }] },
        { id: 'line-b', machines: [{ id: 'press-02' }] },
      ],
      stations: { list: [{ id: 'bench-1', name: 'Bench', line: 'line-a' }] },
    } as unknown as PlantModel;
    expect(onCallMobiles(plant, 'machine-down', 'press-01')).toEqual([
      '13800000001',
      '13800000002',
    ]);
    expect(onCallMobiles(plant, 'threshold', 'press-01')).toEqual(['13800000002']);
    expect(onCallMobiles(plant, 'andon', 'bench-1')).toEqual(['13800000002']);
    expect(onCallMobiles(plant, 'machine-down', 'press-02')).toEqual([]);
    expect(onCallMobiles(plant, 'gateway-offline', 'gw-1')).toEqual(['+86-13900000003']);
    expect(() => alertsConfigSchema.parse({ onCall: [{ mobiles: ['call maria'] }] })).toThrow(
      /mobile number/,
    );
    expect(() =>
      alertsConfigSchema.parse({ onCall: [{ kinds: ['hot'], mobiles: ['13800000001'] }] }),
    ).toThrow();
  });
});

describe('the DingTalk keyword and digests', () => {
  it('every DingTalk message, notice or digest, contains "Takt"', () => {
    expect(webhookBody(channel('dingtalk'), notice('温度 91'))).toContain('Takt');
    const digest = digestPayload(channel('dingtalk'), ['a', 'b', 'c'], ['13800000001']);
    expect(digest.type === 'webhook' && JSON.parse(digest.body)).toMatchObject({
      markdown: { title: 'Takt：3 条通知', text: expect.stringContaining('@13800000001') },
      at: { atMobiles: ['13800000001'] },
    });
  });

  it('lists the notices of a digest in the channel language, the rest counted', () => {
    const titles = Array.from({ length: 45 }, (_, i) => `notice ${i + 1}`);
    const slack = digestPayload(channel('slack'), titles, []);
    const parsed =
      slack.type === 'webhook' &&
      (JSON.parse(slack.body) as { text: string; blocks: { text: { text: string } }[] });
    expect(parsed && parsed.text).toBe('Takt: 45 notices');
    expect(parsed && parsed.blocks[1]!.text.text).toContain('notice 30\n• … and 15 more');
  });
});
