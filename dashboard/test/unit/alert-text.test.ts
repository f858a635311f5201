import { describe, expect, it } from 'vitest';
import type { PlantModel } from '../../src/plant/plant-model';
import { alertCatalog, alertText } from '../../src/lib/alert-text';

const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const late = {
  message: 'work order WO-24119 may miss its due date (ETA 12-08 04:17)',
  messageKey: 'alert.order-late',
  messageParams: { order: 'WO-24119', eta: { time: '2026-12-07T20:17:28.430Z' } },
};

describe("alert text in the screen's language (issue 19)", () => {
  it('renders the key and parameters in the language and plant time zone, no ISO time', () => {
    expect(alertText(late, 'zh-CN', 'Asia/Shanghai', undefined, NOW)).toBe(
      '工单 WO-24119 可能无法按期交付（预计完成 12-08 04:17）',
    );
    expect(alertText(late, 'en', 'Europe/Berlin', undefined, NOW)).toBe(
      'work order WO-24119 may miss its due date (ETA 12-07 21:17)',
    );
    const down = {
      message: 'x',
      messageKey: 'alert.machine-down',
      messageParams: {
        machine: 'press-01',
        state: { message: { key: 'machine-state.down' } },
        duration: { durationS: 12_000 },
      },
    };
    expect(alertText(down, 'zh-CN', 'UTC')).toBe('press-01 停机超过 3 小时 20 分钟');
    expect(alertText(down, 'en', 'UTC')).toBe('press-01 is down for more than 3 h 20 min');
  });

  it("names an andon call by the plant model's label; an unknown key shows the server's text", () => {
    const plant = {
      alerts: {
        rules: [
          {
            id: 'andon-maintenance',
            kind: 'andon',
            call: 'maintenance',
            label: { en: 'Maintenance', 'zh-CN': '设备维修' },
          },
        ],
        channels: [],
      },
    } as unknown as PlantModel;
    const call = {
      message: 'Maintenance called at press-01',
      messageKey: 'alert.andon-call',
      messageParams: {
        what: { message: { key: 'andon.label.andon-maintenance' } },
        station: 'press-01',
      },
    };
    expect(alertText(call, 'zh-CN', 'UTC', alertCatalog(plant))).toBe('press-01 呼叫：设备维修');
    // Without the plant model the label's key is unknown here: the server's rendering stands.
    expect(alertText(call, 'zh-CN', 'UTC', alertCatalog(null))).toBe(
      'Maintenance called at press-01',
    );
    const newer = { message: 'from a newer server', messageKey: 'alert.future', messageParams: {} };
    expect(alertText(newer, 'zh-CN', 'UTC')).toBe('from a newer server');
  });
});
