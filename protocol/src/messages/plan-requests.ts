import { defineMessages } from './render';

/**
 * Why the delivery-date calculator refuses a request (POST /api/promise; docs/decisions.md
 * "Issue 21 — the plan in ingest, the single ETA"). Each names the field it is about.
 */
export const PLAN_REQUEST_MESSAGES = defineMessages({
  'planRequest.unknownProduct': [
    'product: the plant has no product "{product}"',
    'product：工厂没有产品 "{product}"',
  ],
  'planRequest.unknownMachine': [
    'routing: operation {operation} names machine "{machine}", which the plant does not have',
    'routing：工序 {operation} 指定的设备 "{machine}" 在工厂中不存在',
  ],
  'planRequest.noRouting': [
    'routing: product "{product}" has no routing in the plant model; give one',
    'routing：产品 "{product}" 在工厂模型中没有工艺路线，请提供',
  ],
  'planRequest.wantedByPast': ['wantedBy: {time} is in the past', 'wantedBy：{time} 已经过去'],
  'planRequest.duplicateOperation': [
    'routing: operation {operation} appears twice',
    'routing：工序 {operation} 出现了两次',
  ],
  'planRequest.unplannable': [
    'routing: the order cannot be planned: {reason}',
    'routing：无法排产此订单：{reason}',
  ],
});
