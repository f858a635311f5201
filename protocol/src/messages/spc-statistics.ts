import { defineMessages } from './render';

/**
 * Why measurements cannot make a chart, and the normality note under the histogram
 * (ingest/src/domain/spc/; docs/decisions.md, "Issue 23 — SPC statistics and the SPC page").
 */
export const SPC_STATISTICS_MESSAGES = defineMessages({
  'spcStats.tooFewSubgroups': [
    'The {chart} chart needs at least {minimum} subgroups; there are {count}',
    '{chart} 控制图至少需要 {minimum} 个子组，现有 {count} 个',
  ],
  'spcStats.badTime': ['Subgroup {index} has no valid time', '第 {index} 个子组没有有效时间'],
  'spcStats.notFinite': [
    'Value {value} in subgroup {index} is not a number',
    '第 {index} 个子组中的 {value} 不是数值',
  ],
  'spcStats.wrongSize': [
    'Subgroup {index} has {size} values, which the {chart} chart does not take',
    '第 {index} 个子组有 {size} 个值，{chart} 控制图不接受该子组大小',
  ],
  'spcStats.mixedSizes': [
    'Subgroup {index} has size {size} where the first has {first}: the {chart} chart needs one size',
    '第 {index} 个子组大小为 {size}，而第一个为 {first}：{chart} 控制图要求子组大小一致',
  ],
  'spcStats.badCount': [
    'Subgroup {index}: the count {count} is not a whole number of 0 or more',
    '第 {index} 个子组：计数 {count} 不是大于等于 0 的整数',
  ],
  'spcStats.noSampleSize': [
    'Subgroup {index} has no inspected quantity',
    '第 {index} 个子组没有检验数量',
  ],
  'spcStats.countAboveN': [
    'Subgroup {index}: {count} nonconforming out of {n} inspected is not possible',
    '第 {index} 个子组：检验 {n} 件不可能有 {count} 件不合格',
  ],
  'spcStats.badSpec': [
    'The lower specification limit {lsl} must be below the upper {usl}',
    '规格下限 {lsl} 必须小于规格上限 {usl}',
  ],
  'spcStats.tooFewValues': [
    'Capability needs at least 2 values; there are {count}',
    '过程能力至少需要 2 个值，现有 {count} 个',
  ],
  'spcStats.normalityTooFew': [
    'Normality not judged: {n} values, the Anderson–Darling test needs at least {minimum}',
    '未判断正态性：只有 {n} 个值，Anderson–Darling 检验至少需要 {minimum} 个',
  ],
  'spcStats.normalityConsistent': [
    'No evidence against a normal distribution (Anderson–Darling A² = {a2}, p = {p}, {n} values)',
    '没有证据表明偏离正态分布（Anderson–Darling A² = {a2}，p = {p}，{n} 个值）',
  ],
  'spcStats.normalitySmallSample': [
    'No evidence against a normal distribution, but {n} values are few to tell (Anderson–Darling A² = {a2}, p = {p}): read Cpk with care',
    '没有证据表明偏离正态分布，但 {n} 个值太少难以判断（Anderson–Darling A² = {a2}，p = {p}）：请谨慎看待 Cpk',
  ],
  'spcStats.normalityRejected': [
    'The values do not look normal (Anderson–Darling A² = {a2}, p = {p}, {n} values): Cpk and Ppk may mislead',
    '数据不像正态分布（Anderson–Darling A² = {a2}，p = {p}，{n} 个值）：Cpk 和 Ppk 可能失真',
  ],
});
