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
  'report.reason.noData': ['no data', '无数据'],
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
  'report.monthly.title': [
    '{site} · monthly improvement report · {month}',
    '{site} · 月度改进建议报告 · {month}',
  ],
  'report.monthly.figures': ['Figures against last month', '与上月对比'],
  'report.monthly.losses': ['Top losses', '主要损失'],
  'report.monthly.stops': ['Delay causes (stop reasons)', '延误原因（停机原因）'],
  'report.monthly.late': ['Late orders and why', '延误订单及原因'],
  'report.monthly.suggestions': ['Suggestions', '改进建议'],
  'report.monthly.thisMonth': ['This month', '本月'],
  'report.monthly.lastMonth': ['Last month', '上月'],
  'report.monthly.lateRow': [
    '{order} ({product}) due {due}, {late} late; cause: {cause}',
    '{order}（{product}）交期 {due}，延误 {late}；原因：{cause}',
  ],
  'report.monthly.noCause': ['no stop recorded', '无停机记录'],
  'report.monthly.suggestLoss': [
    '{loss} cost {duration} this month ({change} against last month): start there.',
    '本月{loss}损失 {duration}（较上月 {change}），建议优先改善。',
  ],
  'report.monthly.suggestReason': [
    'The longest stop reason is {reason} ({duration}, {stops} stops): find its root cause.',
    '最长的停机原因是{reason}（{duration}，{stops} 次），建议查找根本原因。',
  ],
  'report.monthly.suggestLate': [
    '{count} orders were late; the most common cause on their machines was {reason}.',
    '{count} 个订单延误，其设备上最常见的原因是{reason}。',
  ],
  'report.monthly.suggestNone': ['No losses recorded this month.', '本月无损失记录。'],
});
