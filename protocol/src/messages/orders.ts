import { defineMessages } from './render';

/**
 * Why a change to a work order is refused, and the words a person reads of a change
 * (docs/decisions.md, "Issue 20 — order changes and their trail").
 */
export const ORDER_MESSAGES = defineMessages({
  'orders.notFound': ['No work order {order}', '没有订单 {order}'],
  'orders.cancelled': [
    'Order {order} is cancelled: it cannot be changed',
    '订单 {order} 已取消，不能再修改',
  ],
  'orders.completed': [
    'Order {order} is finished: it cannot be changed',
    '订单 {order} 已完工，不能再修改',
  ],
  'orders.quantityBelowMade': [
    'Quantity {quantity} is below the {made} pieces order {order} has already made',
    '数量 {quantity} 少于订单 {order} 已完成的 {made} 件',
  ],
  'orders.operationStarted': [
    'Operation {operation} of order {order} is {status}: it cannot be changed, moved or removed',
    '订单 {order} 的工序 {operation} 状态为 {status}，不能修改、移动或删除',
  ],
  'orders.duplicateOperation': [
    'Operation {operation} appears twice in the routing',
    '工序 {operation} 在工艺路线中出现了两次',
  ],
  'orders.alreadyHeld': ['Order {order} is on hold already', '订单 {order} 已经暂停'],
  'orders.notHeld': ['Order {order} is not on hold', '订单 {order} 未暂停'],
  'orders.splitTooMany': [
    'Splitting {quantity} off order {order} leaves {left}, fewer than the {made} pieces already made (at least 1)',
    '从订单 {order} 拆出 {quantity} 件后剩余 {left} 件，少于已完成的 {made} 件（至少 1 件）',
  ],
  'orders.splitIdTaken': ['Order {id} exists already', '订单 {id} 已存在'],
});
