import { defineMessages } from './render';

/**
 * The text of the reports pushed to people and drawn in their images (docs/decisions.md
 * "Issue 19 — reports that come to people"): titles, column heads, the six big losses.
 */
export const REPORT_MESSAGES = defineMessages({
  'report.shift.title': [
    '{site} · shift report · {shift} {date}',
    '{site} · 班次报告 · {date} {shift}',
  ],
  'report.daily.title': ['{site} · daily summary · {date}', '{site} · 日报 · {date}'],
  'report.window': ['{from} – {to}', '{from} – {to}'],
  'report.chart.losses': ['OEE and its losses per machine (h)', '各设备 OEE 及损失（小时）'],
  'report.chart.stops': ['Top stop reasons (min)', '主要停机原因（分钟）'],
  'report.chart.output': ['Good output against target', '良品产量与目标'],
  'report.col.machine': ['Machine', '设备'],
  'report.col.oee': ['OEE', 'OEE'],
  'report.col.availability': ['Avail.', '可用率'],
  'report.col.performance': ['Perf.', '性能'],
  'report.col.quality': ['Quality', '质量'],
  'report.col.good': ['Good', '良品'],
  'report.col.target': ['Target', '目标'],
  'report.col.reject': ['Rejects', '不良'],
  'report.col.down': ['Down', '停机'],
  'report.total': ['All machines', '全部设备'],
  'report.fullyProductive': ['OEE (fully productive)', 'OEE（完全有效）'],
  'report.loss.breakdowns': ['Breakdowns', '故障'],
  'report.loss.setups': ['Setups', '换型调整'],
  'report.loss.smallStops': ['Small stops', '小停机'],
  'report.loss.reducedSpeed': ['Reduced speed', '降速'],
  'report.loss.startupRejects': ['Startup rejects', '启动不良'],
  'report.loss.productionRejects': ['Production rejects', '生产不良'],
  'report.reason.unassigned': ['not explained', '未说明'],
  'report.stops.row': [
    '{reason}: {duration} ({stops} stops)',
    '{reason}：{duration}（{stops} 次）',
  ],
  'report.stops.none': ['No stops', '无停机'],
  'report.late.title': ['Late orders', '延误订单'],
  'report.late.row': [
    '{order} ({product}) due {due}, {done} of {quantity} done',
    '{order}（{product}）交期 {due}，已完成 {done}/{quantity}',
  ],
  'report.late.none': ['No late orders', '无延误订单'],
  'report.image': ['Chart', '图表'],
});
