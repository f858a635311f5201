import type { WebhookChannel } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import {
  escapeMarkdown,
  escapeSlack,
  webhookRequest,
  type AlertNotice,
} from '../../src/alerts/delivery/formats';

const comment = '<!channel> look [here](https://evil.example) *now* <@U0123>\n# boom';
const notice: AlertNotice = {
  event: 'opened',
  site: 'plant-1',
  ruleName: 'Hot <!here>',
  at: '2026-01-05T08:00:00.000Z',
  alert: {
    id: 7,
    rule: 'hot',
    subject: 'press-01',
    severity: 'warning',
    status: 'acknowledged',
    openedAt: '2026-01-05T08:00:00.000Z',
    value: 91,
    message: 'press-01 temperature 91 & rising <!everyone>',
    messageKey: 'legacy.text',
    messageParams: { text: 'press-01 temperature 91 & rising <!everyone>' },
    acknowledgedAt: '2026-01-05T08:01:00.000Z',
    acknowledgedBy: 'maria',
    ackComment: comment,
    clearedAt: null,
    clearedBy: null,
    escalatedAt: null,
    deliveryFailed: false,
  },
};

const bodyOf = (format: WebhookChannel['format']) =>
  JSON.parse(
    webhookRequest(
      { id: 'c', type: 'webhook', format, urlEnv: 'X' },
      'https://hooks.example/x',
      undefined,
      notice,
      0,
      1,
    ).body,
  ) as Record<string, unknown>;

describe('chat formats escape what people wrote (issue 18, finding 13)', () => {
  it('Slack: no <!channel>, <@user> or <url|link> survives in mrkdwn or the fallback text', () => {
    expect(escapeSlack('a & <!channel> > b')).toBe('a &amp; &lt;!channel&gt; &gt; b');
    const body = bodyOf('slack') as {
      text: string;
      blocks: { type: string; text: { type: string; text: string } }[];
    };
    const mrkdwn = body.blocks.find((b) => b.text.type === 'mrkdwn')!.text.text;
    for (const text of [mrkdwn, body.text]) {
      expect(text).not.toMatch(/<[!@]/);
      expect(text).not.toMatch(/[<>]/);
    }
    expect(mrkdwn).toContain('&lt;!channel&gt; look');
    expect(mrkdwn).toContain('&lt;@U0123&gt;');
    expect(body.text).toContain('91 &amp; rising &lt;!everyone&gt;');
  });

  it('DingTalk and WeCom: no link, emphasis, heading or <@mention> from a comment', () => {
    expect(escapeMarkdown('[x](y) *b* _i_ `c` ~s~ <@u>\n# h')).toBe(
      '\\[x\\]\\(y\\) \\*b\\* \\_i\\_ \\`c\\` \\~s\\~ &lt;@u&gt; # h',
    );
    const ding = (bodyOf('dingtalk') as { markdown: { text: string } }).markdown.text;
    const wecom = (bodyOf('wecom') as { markdown: { content: string } }).markdown.content;
    for (const text of [ding, wecom]) {
      // DingTalk and WeCom speak zh-CN unless the channel says otherwise; DingTalk lists the
      // facts, WeCom, whose markdown has no lists, quotes them.
      const ackLine = text.split('\n').find((l) => /^[->] \*\*已确认\*\*/.test(l))!;
      expect(ackLine).toContain('\\[here\\]\\(https://evil.example\\)');
      expect(ackLine).toContain('\\*now\\*');
      expect(ackLine).toContain('&lt;@U0123&gt;');
      expect(text.split('\n').some((l) => l.startsWith('# boom'))).toBe(false);
      // The notice's own markup is still there.
      expect(text.startsWith('### ')).toBe(true);
    }
  });
});

describe("notices in the channel's language (issue 19)", () => {
  const late: AlertNotice = {
    ...notice,
    event: 'cleared',
    timeZone: 'Asia/Shanghai',
    alert: {
      ...notice.alert,
      message: 'work order WO-24119 may miss its due date (ETA 12-08 04:17)',
      messageKey: 'alert.order-late',
      messageParams: { order: 'WO-24119', eta: { time: '2026-12-07T20:17:28.430Z' } },
      clearedAt: '2026-12-07T21:00:00.000Z',
      clearedBy: 'condition',
    },
  };
  const request = (format: WebhookChannel['format'], lang?: 'en' | 'zh-CN') =>
    webhookRequest(
      { id: 'c', type: 'webhook', format, urlEnv: 'X', ...(lang ? { lang } : {}) },
      'https://hooks.example/x',
      undefined,
      late,
      0,
      1,
    ).body;

  it('DingTalk and WeCom default to zh-CN, in the plant time zone, with no ISO time', () => {
    for (const body of [request('dingtalk'), request('wecom')]) {
      expect(body).toContain('工单 WO-24119 可能无法按期交付（预计完成 12-08 04:17）');
      expect(body).toContain('已解除');
      expect(body).toContain('12-08 05:00，由 condition');
      expect(body).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    }
  });

  it('Slack and Teams default to English; a channel lang overrides the default', () => {
    for (const body of [request('slack'), request('teams')]) {
      expect(body).toContain('work order WO-24119 may miss its due date (ETA 12-08 04:17)');
      expect(body).toContain('[WARNING] Cleared');
      expect(body).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    }
    expect(request('dingtalk', 'en')).toContain('[WARNING] Cleared: work order WO-24119');
    expect(request('slack', 'zh-CN')).toContain('[警告] 已解除: 工单 WO-24119');
  });
});
