import type { OeeReport } from '@takt/protocol';
import type { ReportContent } from '../../../src/reports/content';

/** A shift report's content for the report unit tests: two machines, one without figures. */
export const figures = (over: Partial<OeeReport>): OeeReport => ({
  calendarMs: 8 * 3_600_000,
  plannedBusyMs: 7 * 3_600_000,
  runMs: 6 * 3_600_000,
  totalCount: 18_000,
  goodCount: 17_500,
  availability: 6 / 7,
  performance: 0.8333,
  performanceAbove100: false,
  quality: 17_500 / 18_000,
  yield: 17_500 / 18_000,
  oee: 0.69,
  teep: 0.6,
  downMs: 3_600_000,
  microstopMs: 0,
  setupMs: 0,
  notMonitoredMs: 0,
  losses: {
    breakdownsMs: 3_600_000,
    setupsMs: 0,
    smallStopsMs: 0,
    reducedSpeedMs: 3_600_000,
    startupRejectsMs: 0,
    productionRejectsMs: 500_000,
    fullyProductiveMs: 7 * 3_600_000 - 7_700_000,
  },
  modes: {},
  ...over,
});

export const CONTENT: ReportContent = {
  period: {
    kind: 'shift',
    date: '2026-11-20',
    shift: 'early',
    shiftName: 'Early',
    from: Date.parse('2026-11-19T22:00:00Z'),
    to: Date.parse('2026-11-20T06:00:00Z'),
  },
  site: { id: 'site-r', name: 'Plant', timeZone: 'Asia/Shanghai' },
  machines: [
    { id: 'm-a', name: 'Press A', figures: figures({}), target: 21_600 },
    { id: 'm-b', name: 'Press B', figures: figures({ oee: null, losses: null }), target: null },
  ],
  total: figures({}),
  stops: [{ reason: 'unassigned', durationMs: 1_800_000, stops: 3 }],
  late: [
    {
      id: 'WO-1',
      product: 'part',
      quantity: 100,
      done: 40,
      dueAt: Date.parse('2026-11-20T04:00:00Z'),
    },
  ],
};
