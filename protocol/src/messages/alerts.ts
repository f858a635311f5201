import type { AlertRule } from '../config/alerts';
import { defineMessages, type Message, type MessageCatalog } from './render';

/**
 * Alert texts (docs/decisions.md, "Issue 19 — alerts in the reader's language"): what the
 * rules of ingest/src/alerts/ say when an alert opens, and the words of a channel's notice.
 * Times are `{time}` parameters and durations `{durationS}`, rendered where people read them.
 */
export const ALERT_MESSAGES = defineMessages({
  /** Rows stored before alerts were messages: their English sentence as it was. */
  'legacy.text': ['{text}', '{text}'],

  'alert.threshold': [
    '{machine} {tag} {value} (limit: {limit})',
    '{machine} {tag} 为 {value}（限值：{limit}）',
  ],
  'alert.limit.above': ['above {limit}', '高于 {limit}'],
  'alert.limit.below': ['below {limit}', '低于 {limit}'],
  'alert.limit.outside': ['outside {low}..{high}', '超出 {low}..{high}'],
  'alert.rate': [
    '{machine} {tag} changes {rate}/min (limit {limit}/min)',
    '{machine} {tag} 变化速率 {rate}/分钟（限值 {limit}/分钟）',
  ],
  'alert.machine-down': [
    '{machine} is {state} for more than {duration}',
    '{machine} {state}超过 {duration}',
  ],
  'alert.machine-state': ['{machine} is {state}', '{machine} 当前状态：{state}'],
  'alert.gateway-offline': ['gateway {gateway} is offline', '网关 {gateway} 离线'],
  'alert.gateway-online': ['gateway {gateway} is online', '网关 {gateway} 在线'],
  'alert.no-data': ['no data from {what} for {duration}', '{what} 已 {duration} 没有数据'],
  'alert.oee-below': [
    '{machine} {metric} {value} (target {target})',
    '{machine} {metric} {value}（目标 {target}）',
  ],
  'alert.order-stalled': [
    'work order {order} has made no good piece for {duration}',
    '工单 {order} 已 {duration} 没有产出良品',
  ],
  'alert.order-moving': ['work order {order} is moving', '工单 {order} 正在生产'],
  'alert.order-late': [
    'work order {order} may miss its due date (ETA {eta})',
    '工单 {order} 可能无法按期交付（预计完成 {eta}）',
  ],
  'alert.order-late-no-eta': [
    'work order {order} may miss its due date (no ETA)',
    '工单 {order} 可能无法按期交付（无法预计完成时间）',
  ],
  'alert.order-on-time': [
    'work order {order} is on time for its due date (ETA {eta})',
    '工单 {order} 可按期交付（预计完成 {eta}）',
  ],
  'alert.order-on-time-no-eta': [
    'work order {order} is on time for its due date (no ETA)',
    '工单 {order} 尚无预计完成时间',
  ],
  'alert.andon-call': ['{what} called at {station}', '{station} 呼叫：{what}'],
  'alert.andon-call-by': [
    '{what} called at {station} (operator {operator})',
    '{station} 呼叫：{what}（操作员 {operator}）',
  ],
  'alert.value-na': ['n/a', '无数据'],

  'machine-state.running': ['running', '运行'],
  'machine-state.reduced_speed': ['at reduced speed', '降速运行'],
  'machine-state.microstop': ['in a microstop', '短暂停机'],
  'machine-state.idle': ['idle', '待机'],
  'machine-state.down': ['down', '停机'],
  'machine-state.unknown': ['unknown', '状态未知'],

  'oee-metric.oee': ['OEE', 'OEE'],
  'oee-metric.availability': ['availability', '可用率'],
  'oee-metric.performance': ['performance', '性能率'],
  'oee-metric.quality': ['quality', '质量率'],

  'andon.call.maintenance': ['Maintenance', '维修'],
  'andon.call.material': ['Material', '物料'],
  'andon.call.quality': ['Quality', '质量'],
  'andon.call.supervisor': ['Supervisor', '班组长'],

  // A channel's notice: its title words, fact names and severities.
  'notice.opened': ['Alert', '告警'],
  'notice.escalated': ['Not acknowledged', '未确认（已升级）'],
  'notice.cleared': ['Cleared', '已解除'],
  'notice.severity.info': ['INFO', '提示'],
  'notice.severity.warning': ['WARNING', '警告'],
  'notice.severity.critical': ['CRITICAL', '严重'],
  'notice.rule': ['Rule', '规则'],
  'notice.subject': ['Subject', '对象'],
  'notice.site': ['Site', '工厂'],
  'notice.opened-at': ['Opened', '发生时间'],
  'notice.acknowledged': ['Acknowledged', '已确认'],
  'notice.cleared-at': ['Cleared', '解除'],
  'notice.cleared-by': ['{time} by {by}', '{time}，由 {by}'],
  'notice.alert-id': ['Alert id', '告警编号'],
});

/** A nested message without parameters (a state, a metric, a call): `{ message: { key } }`. */
export const word = (key: string): { message: Message } => ({ message: { key } });

/**
 * The plant's own words: each andon rule's label per language (`andon.label.<rule>`), else
 * its name, else the call's word above, else the call id. Added to the catalog by whoever
 * renders an andon alert (the server from its rules, a screen from the plant model).
 */
export function andonLabels(rules: readonly AlertRule[]): MessageCatalog {
  const out: Record<string, readonly [string, string]> = {};
  for (const rule of rules) {
    if (rule.kind !== 'andon') continue;
    const known = (ALERT_MESSAGES as MessageCatalog)[`andon.call.${rule.call}`];
    const en = rule.label?.en ?? rule.name ?? known?.[0] ?? rule.call;
    const zh = rule.label?.['zh-CN'] ?? known?.[1] ?? en;
    out[`andon.label.${rule.id}`] = [en, zh];
  }
  return out;
}
