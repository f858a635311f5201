import { createHash } from 'node:crypto';
import { SERVER_MESSAGES, catalogProblems, plantModelSchema } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import { cutUtf8 } from '../../../src/alerts/delivery/payloads';
import { reportBodies, reportMail, type RenderedReport } from '../../../src/reports/formats';
import { dueReports, lastDailyDue, lastShiftEnded } from '../../../src/reports/schedule';
import { CONTENT } from './fixture';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const report = (over: Partial<RenderedReport> = {}): RenderedReport => ({
  content: CONTENT,
  lang: 'zh-CN',
  plant: undefined,
  png: PNG,
  imageUrl: 'https://takt.example/api/reports/images/abc.png?exp=1&sig=x',
  now: Date.parse('2026-11-20T08:00:00Z'),
  ...over,
});

describe('report formats', () => {
  it('has both languages of every report text with the same placeholders', () => {
    const reports = Object.fromEntries(
      Object.entries(SERVER_MESSAGES).filter(([key]) => key.startsWith('report.')),
    );
    expect(Object.keys(reports).length).toBeGreaterThan(40);
    expect(catalogProblems(reports)).toEqual([]);
  });

  it('cuts UTF-8 on a character boundary within the byte limit', () => {
    const cut = cutUtf8('班次报告'.repeat(1000), 4096);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(4096);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).not.toContain('\uFFFD');
    expect(cutUtf8('short', 4096)).toBe('short');
  });

  it('gives WeCom the image (base64 and MD5) and then markdown', () => {
    const [image, markdown] = reportBodies('wecom', report()) as [
      { msgtype: string; image: { base64: string; md5: string } },
      { msgtype: string; markdown: { content: string } },
    ];
    expect(image.msgtype).toBe('image');
    expect(Buffer.from(image.image.base64, 'base64')).toEqual(PNG);
    expect(image.image.md5).toBe(createHash('md5').update(PNG).digest('hex'));
    expect(markdown.markdown.content).toContain('- **Press A**: OEE 69.0 %');
    expect(markdown.markdown.content).toContain('WO-1（part）交期 11-20 12:00');
  });

  it('leaves out an image WeCom would refuse (over 2 MB), keeping the text', () => {
    const bodies = reportBodies('wecom', report({ png: Buffer.alloc(2 * 1024 * 1024 + 1) }));
    expect(bodies.map((b) => (b as { msgtype: string }).msgtype)).toEqual(['markdown']);
  });

  it('links the image in DingTalk markdown, Slack blocks and a Teams card', () => {
    const url = report().imageUrl!;
    const [ding] = reportBodies('dingtalk', report()) as [{ markdown: { text: string } }];
    expect(ding.markdown.text).toContain(`](${url})`);
    const [slack] = reportBodies('slack', report({ lang: 'en' })) as [
      { blocks: { type: string; image_url?: string }[] },
    ];
    expect(slack.blocks.find((b) => b.type === 'image')?.image_url).toBe(url);
    const [teams] = reportBodies('teams', report({ lang: 'en' })) as [
      { attachments: { content: { body: { type: string; url?: string }[] } }[] },
    ];
    const body = teams.attachments[0]!.content.body;
    expect(body.find((b) => b.type === 'Image')?.url).toBe(url);
    expect(body.some((b) => b.type === 'Table')).toBe(true);
  });

  it('sends no image link without TAKT_PUBLIC_URL', () => {
    const [slack] = reportBodies('slack', report({ imageUrl: undefined })) as [
      { blocks: { type: string }[] },
    ];
    expect(slack.blocks.some((b) => b.type === 'image')).toBe(false);
  });

  it('mails HTML with the PNG inline and the table escaped', () => {
    const content = {
      ...CONTENT,
      machines: [{ ...CONTENT.machines[0]!, name: '<b>Press</b>' }],
    };
    const mail = reportMail(report({ content, lang: 'en' }));
    expect(mail.html).toContain('src="cid:report-chart@takt"');
    expect(mail.html).toContain('&lt;b&gt;Press&lt;/b&gt;');
    expect(mail.attachments[0]).toMatchObject({ cid: 'report-chart@takt', content: PNG });
    expect(mail.headers['Auto-Submitted']).toBe('auto-generated');
  });
});

const plant = plantModelSchema.parse({
  site: { id: 's', name: 'S', timeZone: 'Asia/Shanghai' },
  lines: [{ id: 'l', name: 'L', machines: [{ id: 'm', name: 'M' }] }],
  shifts: [
    { id: 'early', name: 'Early', start: '06:00', end: '14:00' },
    { id: 'night', name: 'Night', start: '22:00', end: '06:00' },
  ],
  alerts: { channels: [{ id: 'c', type: 'webhook', format: 'wecom', urlEnv: 'X' }] },
  reports: { shiftEnd: { channels: ['c'] }, daily: { at: '07:30', channels: ['c'] } },
});
const local = (s: string) => Date.parse(`${s}+08:00`);

describe('report schedule', () => {
  it('names the last shift that ended, a night shift by the day it began', () => {
    expect(lastShiftEnded(plant, local('2026-11-20T13:59:00'))).toMatchObject({
      date: '2026-11-19',
      shift: 'night',
    });
    expect(lastShiftEnded(plant, local('2026-11-20T14:00:00'))).toMatchObject({
      date: '2026-11-20',
      shift: 'early',
      from: local('2026-11-20T06:00:00'),
      to: local('2026-11-20T14:00:00'),
    });
  });

  it('names the day before once the daily time has passed, in plant time', () => {
    expect(lastDailyDue(plant, '07:30', local('2026-11-20T07:29:00')).date).toBe('2026-11-18');
    expect(lastDailyDue(plant, '07:30', local('2026-11-20T07:30:00'))).toMatchObject({
      date: '2026-11-19',
      from: local('2026-11-19T00:00:00'),
      to: local('2026-11-20T00:00:00'),
    });
    expect(dueReports(plant, local('2026-11-20T08:00:00')).map((d) => d.period.kind)).toEqual([
      'shift',
      'daily',
    ]);
  });

  it('refuses a report channel the plant does not declare', () => {
    const result = plantModelSchema.safeParse({
      site: { id: 's', name: 'S', timeZone: 'UTC' },
      lines: [{ id: 'l', name: 'L', machines: [{ id: 'm', name: 'M' }] }],
      reports: { daily: { at: '07:30', channels: ['nope'] } },
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['reports', 'daily', 'channels', 0]);
  });
});
