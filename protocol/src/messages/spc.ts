import { defineMessages } from './render';

/**
 * Measurements, baselines and spc alerts (docs/decisions.md "Issue 23 — measurements, limits
 * and spc alerts"): why a measurement or a baseline is refused, the chart's warnings, what a
 * violated run rule is called, and the alert's text with the chart's link.
 */
export const SPC_MESSAGES = defineMessages({
  'spc.unknownCharacteristic': [
    'unknown characteristic "{characteristic}" (declare it under quality.characteristics)',
    '未知的质量特性 "{characteristic}"（请在 quality.characteristics 中声明）',
  ],
  'spc.wrongSize': [
    '{characteristic} takes subgroups of {size} values; {count} given',
    '{characteristic} 每个子组需要 {size} 个值，收到 {count} 个',
  ],
  'spc.oneCount': [
    '{characteristic} is an attribute chart: give one count in values; {count} given',
    '{characteristic} 是计数型控制图：values 中只需一个计数，收到 {count} 个',
  ],
  'spc.badCount': [
    '{characteristic}: the count {value} must be a whole number of 0 or more',
    '{characteristic}：计数 {value} 必须是大于等于 0 的整数',
  ],
  'spc.needN': [
    '{characteristic} has no lot size: give n, the count inspected',
    '{characteristic} 未设定批量：请给出 n（检验数量）',
  ],
  'spc.countAboveN': [
    '{characteristic}: {value} nonconforming out of {n} inspected is not possible',
    '{characteristic}：检验 {n} 件不可能有 {value} 件不合格',
  ],
  'spc.atAhead': [
    'at {at} is beyond the time horizon: more than {ahead} ahead of now',
    '时间 {at} 超出时间范围：比现在晚 {ahead} 以上',
  ],
  'spc.atTooOld': [
    'at {at} is beyond the time horizon: older than {maxAge}',
    '时间 {at} 超出时间范围：早于 {maxAge} 之前',
  ],
  'spc.baselineTooFew': [
    'a baseline needs at least {minimum} subgroups; {from} to {to} has {count}',
    '基准至少需要 {minimum} 个子组；{from} 至 {to} 只有 {count} 个',
  ],
  'spc.phaseI': [
    'Limits computed from the {count} subgroups shown (phase I): freeze a baseline of at least {minimum} subgroups to keep them',
    '控制限由当前显示的 {count} 个子组计算（第一阶段）：请冻结至少 {minimum} 个子组的基准以固定控制限',
  ],
  'spc.phaseIFew': [
    'Only {count} subgroups: limits from fewer than {minimum} subgroups are not reliable',
    '只有 {count} 个子组：少于 {minimum} 个子组计算的控制限不可靠',
  ],
  'spc.noLimits': [
    'No limits yet: {count} subgroups in this window',
    '尚无控制限：此时间段内只有 {count} 个子组',
  ],
  'spc.rule.we1': ['a point beyond 3 sigma', '一点超出 3σ'],
  'spc.rule.we2': ['2 of 3 points beyond 2 sigma on one side', '连续 3 点中有 2 点在同侧 2σ 以外'],
  'spc.rule.we3': ['4 of 5 points beyond 1 sigma on one side', '连续 5 点中有 4 点在同侧 1σ 以外'],
  'spc.rule.we4': ['8 points in a row on one side', '连续 8 点在中心线同侧'],
  'spc.rule.nelson5': ['6 points in a row rising or falling', '连续 6 点递增或递减'],
  'spc.rule.nelson6': ['14 points in a row alternating', '连续 14 点交替上下'],
  'spc.rule.nelson7': ['15 points in a row within 1 sigma', '连续 15 点在 1σ 以内'],
  'spc.rule.nelson8': [
    '8 points in a row beyond 1 sigma on both sides',
    '连续 8 点在中心线两侧 1σ 以外',
  ],
  'spc.violation': ['{rule} at {at}', '{at}：{rule}'],
  'alert.spc': ['{name}: {rule} at {at} (chart {link})', '{name}：{at} {rule}（控制图 {link}）'],
  'alert.spc-overdue': [
    '{name}: inspection overdue since {at} (chart {link})',
    '{name}：检验自 {at} 起已逾期（控制图 {link}）',
  ],
});
