import { defineMessages } from './render';

/**
 * Why the finite-capacity plan (ingest/src/domain/planning/) cannot place an order: it is
 * listed with one of these, never dropped (docs/decisions.md "Issue 21 — the finite-capacity
 * scheduler").
 */
export const PLANNING_MESSAGES = defineMessages({
  'planning.unplannable.no-operations': [
    'order {order} has no operations to plan',
    '工单 {order} 没有可排产的工序',
  ],
  'planning.unplannable.unknown-machine': [
    'operation {operation} of order {order} runs on {machine}, which the plant model does not have',
    '工单 {order} 的工序 {operation} 指定的机台 {machine} 不在工厂模型中',
  ],
  'planning.unplannable.no-capacity': [
    'no capacity is known for {product} on {machine} (operation {operation} of order {order})',
    '机台 {machine} 没有产品 {product} 的产能数据（工单 {order} 的工序 {operation}）',
  ],
  'planning.unplannable.beyond-horizon': [
    'operation {operation} of order {order} on {machine} does not finish within the planning horizon of {durationS}',
    '工单 {order} 的工序 {operation} 在机台 {machine} 上无法在 {durationS} 的排产范围内完成',
  ],
});
