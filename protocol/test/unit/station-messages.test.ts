import { describe, expect, it } from 'vitest';
import { REFUSAL_CODES, OPERATION_STATUSES } from '../../src/api';
import { SERVER_MESSAGES, catalogProblems, refusalKey, renderMessage } from '../../src/messages';
import { STATION_MESSAGES } from '../../src/messages/stations';

const shanghai = { timeZone: 'Asia/Shanghai', now: Date.parse('2026-12-06T12:00:00Z') };
const CJK = /[\u4e00-\u9fff]/;

describe('station messages (refusals and stop lines)', () => {
  it('has an entry in both languages for every refusal code, in the server catalog', () => {
    for (const code of REFUSAL_CODES) {
      const entry = SERVER_MESSAGES[refusalKey(code)];
      expect(entry, code).toBeDefined();
      const [en, zh] = entry!;
      expect(en, code).not.toMatch(CJK);
      expect(zh, code).toMatch(CJK);
    }
    expect(catalogProblems(STATION_MESSAGES)).toEqual([]);
  });

  it('words every operation status and scan action in Chinese for a not-allowed refusal', () => {
    for (const status of OPERATION_STATUSES)
      expect(SERVER_MESSAGES[`stations.status.${status}`]?.[1], status).toMatch(CJK);
    const message = {
      key: refusalKey('not-allowed'),
      params: {
        operation: 'OP10',
        order: 'WO-1',
        status: { message: { key: 'stations.status.pending' } },
        action: { message: { key: 'stations.action.complete' } },
      },
    };
    expect(renderMessage(SERVER_MESSAGES, message, 'en', shanghai)).toBe(
      'operation OP10 of order WO-1 is pending: cannot complete',
    );
    expect(renderMessage(SERVER_MESSAGES, message, 'zh-CN', shanghai)).toBe(
      '工单 WO-1 的工序 OP10 状态为待开始，不能完工',
    );
  });

  it('names a stop by its start in the plant zone, not as an ISO time', () => {
    const message = {
      key: 'stations.stop.corrected',
      params: { time: { time: '2026-12-06T01:05:00Z' }, before: 'R10', after: 'R20' },
    };
    expect(renderMessage(SERVER_MESSAGES, message, 'en', shanghai)).toBe(
      'stop of 12-06 09:05: R10 → R20',
    );
    expect(renderMessage(SERVER_MESSAGES, message, 'zh-CN', shanghai)).toBe(
      '12-06 09:05 的停机：R10 → R20',
    );
  });
});
